// The discount Function's input queries against the official schema and Shopify's input-query
// limits (https://shopify.dev/docs/api/functions#input-query-limits), and the directives the
// schema script restores. Run by `node --test scripts/`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TypeInfo, buildSchema, getNamedType, isLeafType, parse, validate, visit, visitWithTypeInfo } from 'graphql';

const extension = join(dirname(fileURLToPath(import.meta.url)), '..', 'extensions', 'segment-discount');
const schema = buildSchema(readFileSync(join(extension, 'schema.graphql'), 'utf8'));

const QUERIES = {
  'cart_lines_discounts_generate_run.graphql': 18,
  'cart_delivery_options_discounts_generate_run.graphql': 14,
};

// Shopify's cost table: fields that take a list argument cost 3, a metafield 3, the fields
// under those nothing, `__typename` nothing, any other leaf 1.
const COSTLY_FIELDS = new Set(['hasAnyTag', 'hasTags', 'inAnyCollection', 'inCollections']);
const FREE_PARENTS = new Set(['Metafield', 'HasTagResponse', 'CollectionMembership']);

function queryCost(document) {
  const typeInfo = new TypeInfo(schema);
  let cost = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()?.name;
        const type = getNamedType(typeInfo.getType());
        if (node.name.value === '__typename' || FREE_PARENTS.has(parent)) return;
        if (COSTLY_FIELDS.has(node.name.value) || type?.name === 'Metafield') cost += 3;
        else if (isLeafType(type)) cost += 1;
      },
    }),
  );
  return cost;
}

function withoutComments(text) {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
}

for (const [file, expectedCost] of Object.entries(QUERIES)) {
  const text = readFileSync(join(extension, 'src', file), 'utf8');
  const document = parse(text);

  test(`${file} is valid against the official schema`, () => {
    assert.deepEqual(
      validate(schema, document).map((error) => error.message),
      [],
    );
  });

  test(`${file} stays within Shopify's cost limit of 30`, () => {
    const cost = queryCost(document);
    assert.ok(cost <= 30, `cost ${cost}`);
    assert.equal(cost, expectedCost, 'the cost changed: update QUERIES after checking the limit');
  });

  test(`${file} stays within Shopify's size limit of 3,000 bytes`, () => {
    const bytes = Buffer.byteLength(withoutComments(text));
    assert.ok(bytes <= 3000, `${bytes} bytes`);
  });
}

test('the cost table counts the way Shopify documents it', () => {
  const sample = parse(`query {
    cart { buyerIdentity { customer { hasAnyTag(tags: []) hasTags(tags: []) { tag hasTag } id } } }
    discount { metafield(key: "k") { value jsonValue } discountClasses }
    cart2: cart { lines { merchandise { __typename ... on ProductVariant { product { inAnyCollection(ids: []) id } } } } }
  }`);
  // 3 + 3 + 1 (id) + 3 (metafield) + 1 (discountClasses) + 3 (inAnyCollection) + 1 (product id)
  assert.equal(queryCost(sample), 15);
});

test('the schema keeps the @oneOf inputs of Shopify SDL', () => {
  for (const name of [
    'CartOperation',
    'Condition',
    'DeliveryDiscountCandidateTarget',
    'DeliveryDiscountCandidateValue',
    'DeliveryOperation',
    'OrderDiscountCandidateTarget',
    'OrderDiscountCandidateValue',
    'ProductDiscountCandidatePrerequisite',
    'ProductDiscountCandidateTarget',
    'ProductDiscountCandidateValue',
  ]) {
    assert.equal(schema.getType(name)?.isOneOf, true, name);
  }
});

test('the schema keeps the @scaleLimits Shopify scales limits by', () => {
  const sdl = readFileSync(join(extension, 'schema.graphql'), 'utf8');
  assert.match(sdl, /^ {2}lines: \[CartLine!\]! @scaleLimits\(rate: 0\.005\)$/m);
  assert.match(sdl, /^ {2}cartLines: \[CartLine!\]! @scaleLimits\(rate: 0\.005\)$/m);
});
