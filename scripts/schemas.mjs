#!/usr/bin/env node
// Writes the official Shopify schemas the project compiles against, from one pinned npm package.
//
//   node scripts/schemas.mjs           regenerate the committed SDL files
//   node scripts/schemas.mjs --check   regenerate in memory; exit 1 if a committed file differs
//
// The schemas come from the introspection JSON inside @shopify/dev-mcp. The tarball is fetched with
// `npm pack` and must match the pinned sha512 before anything is read from it.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  Kind,
  TypeInfo,
  buildClientSchema,
  buildSchema,
  getNamedType,
  isInputObjectType,
  parse,
  print,
  printSchema,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';

const PACKAGE = '@shopify/dev-mcp';
const VERSION = '1.16.0';
const INTEGRITY =
  'sha512-tqgRnK7sQhjew+htxtleTH23nXB5fZcsrhWgEkomsorGXvLOB2mh2upwZm8uzuTDNTZnqtLMe64yIwh6s2awtw==';
const API_VERSION = '2026-10';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The introspection format has no place for directives applied to fields, and this package's
// Function introspection also omits `isOneOf`. Shopify's own SDL for the discount API (the one its
// CLI writes) applies exactly these; typegen needs @oneOf to emit enums for the output unions, and
// function-runner reads @scaleLimits to scale limits for carts over 200 lines.
const DISCOUNT_FUNCTION_DIRECTIVES = {
  oneOf: [
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
  ],
  fields: {
    'Cart.lines': '@scaleLimits(rate: 0.005)',
    'CartDeliveryGroup.cartLines': '@scaleLimits(rate: 0.005)',
    'Input.fetchResult':
      '@restrictTarget(only: ["cart.lines.discounts.generate.run", "cart.delivery-options.discounts.generate.run"])',
    'Input.triggeringDiscountCode':
      '@restrictTarget(only: ["cart.lines.discounts.generate.run", "cart.delivery-options.discounts.generate.run"])',
  },
};

const OUTPUTS = [
  {
    source: `functions_discount_${API_VERSION}.json.gz`,
    target: 'extensions/segment-discount/schema.graphql',
    directives: DISCOUNT_FUNCTION_DIRECTIVES,
  },
  // The simulator keeps its own copy: it builds Function input as Shopify does and must not
  // depend on the extension it tests.
  {
    source: `functions_discount_${API_VERSION}.json.gz`,
    target: `crates/shopify-sim/schema/functions_discount_${API_VERSION}.graphql`,
    directives: DISCOUNT_FUNCTION_DIRECTIVES,
  },
  // The Admin introspection carries `isOneOf` itself, so nothing needs restoring.
  {
    source: `admin_${API_VERSION}.json.gz`,
    target: `crates/shopify-sim/schema/admin_${API_VERSION}.graphql`,
    directives: { oneOf: [], fields: {} },
  },
  { prune: `crates/shopify-sim/schema/admin_${API_VERSION}.graphql`, target: 'backend/graphql/schema.graphql' },
];

function fail(message) {
  console.error(`schemas: ${message}`);
  process.exit(1);
}

function cachedTarball() {
  const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'seglink', 'npm');
  const tarball = join(cacheDir, `shopify-dev-mcp-${VERSION}.tgz`);
  if (!existsSync(tarball) || integrityOf(tarball) !== INTEGRITY) {
    mkdirSync(cacheDir, { recursive: true });
    execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent', '--pack-destination', cacheDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const actual = integrityOf(tarball);
  if (actual !== INTEGRITY) fail(`${tarball} has integrity ${actual}, expected ${INTEGRITY}`);
  return tarball;
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function readIntrospection(tarball, name) {
  const scratch = mkdtempSync(join(tmpdir(), 'seglink-schemas-'));
  try {
    const member = `package/dist/data/${name}`;
    execFileSync('tar', ['-xzf', tarball, '-C', scratch, member]);
    const json = JSON.parse(gunzipSync(readFileSync(join(scratch, member))).toString('utf8'));
    return json.data ?? json;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function directiveNodes(source) {
  const field = parse(`type T { f: Int ${source} }`).definitions[0].fields[0];
  return field.directives;
}

function toSdl(introspection, directives) {
  const schema = buildClientSchema(introspection);
  const pendingOneOf = new Set(directives.oneOf);
  const pendingFields = new Map(Object.entries(directives.fields));
  let typeName = null;

  const stripped = visit(parse(printSchema(schema)), {
    enter(node) {
      return node.description ? { ...node, description: undefined } : undefined;
    },
  });
  const document = visit(stripped, {
    ObjectTypeDefinition(node) {
      typeName = node.name.value;
    },
    FieldDefinition(node) {
      const key = `${typeName}.${node.name.value}`;
      const applied = pendingFields.get(key);
      if (!applied) return undefined;
      pendingFields.delete(key);
      return { ...node, directives: [...node.directives, ...directiveNodes(applied)] };
    },
    InputObjectTypeDefinition(node) {
      if (!pendingOneOf.delete(node.name.value)) return undefined;
      if (node.directives.some((d) => d.name.value === 'oneOf')) return undefined;
      const oneOf = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'oneOf' }, arguments: [] };
      return { ...node, directives: [...node.directives, oneOf] };
    },
  });

  // A name that matched nothing means the schema moved: fail rather than write a silent gap.
  if (pendingOneOf.size) fail(`no input type for @oneOf: ${[...pendingOneOf].join(', ')}`);
  if (pendingFields.size) fail(`no field for directive: ${[...pendingFields.keys()].join(', ')}`);

  const header = [
    `# Generated by scripts/schemas.mjs from ${PACKAGE}@${VERSION}; do not edit.`,
    `# api_version: ${API_VERSION}`,
  ].join('\n');
  return `${header}\n\n${print(document)}\n`;
}

// The backend's Admin operations and the SDL its typed client compiles against: only the types,
// fields and arguments those operations reach, so the generated Rust stays small and a schema
// change that touches them shows up as a diff here.
const BACKEND_OPERATIONS = 'backend/graphql';
const BACKEND_SCHEMA = `${BACKEND_OPERATIONS}/schema.graphql`;

function prunedSdl(fullSdl, operationsDir) {
  const schema = buildSchema(fullSdl);
  const types = new Set();
  const fields = new Map(); // type name -> Map(field name -> Set(argument names))
  const keepType = (type) => {
    const named = getNamedType(type);
    if (types.has(named.name)) return;
    types.add(named.name);
    // Inputs are generated whole, so every field they hold is needed.
    if (isInputObjectType(named)) for (const field of Object.values(named.getFields())) keepType(field.type);
  };
  const files = readdirSync(join(root, operationsDir))
    .filter((name) => name.endsWith('.graphql') && `${operationsDir}/${name}` !== BACKEND_SCHEMA)
    .sort();
  if (!files.length) fail(`no operations in ${operationsDir}`);
  for (const file of files) {
    const typeInfo = new TypeInfo(schema);
    const document = parse(readFileSync(join(root, operationsDir, file), 'utf8'));
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        OperationDefinition(node) {
          keepType(schema.getRootType(node.operation));
        },
        VariableDefinition(node) {
          keepType(typeFromAST(schema, node.type));
        },
        InlineFragment(node) {
          if (node.typeCondition) keepType(typeFromAST(schema, node.typeCondition));
        },
        Field(node) {
          const parent = typeInfo.getParentType();
          const definition = typeInfo.getFieldDef();
          if (!definition) fail(`${file}: unknown field ${node.name.value}`);
          if (node.name.value.startsWith('__')) return;
          keepType(parent);
          keepType(definition.type);
          const used = fields.get(parent.name) ?? new Map();
          fields.set(parent.name, used);
          const argumentNames = used.get(node.name.value) ?? new Set();
          used.set(node.name.value, argumentNames);
          for (const argument of node.arguments ?? []) {
            argumentNames.add(argument.name.value);
            keepType(definition.args.find((arg) => arg.name === argument.name.value).type);
          }
        },
      }),
    );
  }

  const onlyOneOf = (node) => ({ ...node, directives: (node.directives ?? []).filter((d) => d.name.value === 'oneOf') });
  const definitions = [];
  for (const definition of parse(fullSdl).definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION) {
      definitions.push({
        ...definition,
        operationTypes: definition.operationTypes.filter((operation) => types.has(operation.type.name.value)),
      });
      continue;
    }
    const name = definition.name?.value;
    if (!name || !types.has(name)) continue;
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION: {
        const used = fields.get(name) ?? new Map();
        definitions.push({
          ...onlyOneOf(definition),
          interfaces: definition.interfaces.filter((named) => types.has(named.name.value)),
          fields: definition.fields
            .filter((field) => used.has(field.name.value))
            .map((field) => ({
              ...onlyOneOf(field),
              arguments: field.arguments.filter((arg) => used.get(field.name.value).has(arg.name.value)).map(onlyOneOf),
            })),
        });
        break;
      }
      case Kind.UNION_TYPE_DEFINITION:
        definitions.push({ ...definition, types: definition.types.filter((named) => types.has(named.name.value)) });
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        definitions.push({ ...onlyOneOf(definition), fields: definition.fields.map(onlyOneOf) });
        break;
      case Kind.ENUM_TYPE_DEFINITION:
        definitions.push({ ...definition, values: definition.values.map(onlyOneOf) });
        break;
      default:
        definitions.push(onlyOneOf(definition));
    }
  }
  const header = [
    `# Generated by scripts/schemas.mjs from ${PACKAGE}@${VERSION}: the Admin ${API_VERSION} schema pruned to`,
    `# what ${operationsDir}/*.graphql uses; do not edit.`,
    'directive @oneOf on INPUT_OBJECT',
  ].join('\n');
  return `${header}\n\n${print({ kind: Kind.DOCUMENT, definitions })}\n`;
}

const check = process.argv.includes('--check');
const tarball = cachedTarball();
let stale = 0;
const generated = new Map();
for (const output of OUTPUTS) {
  const sdl = output.prune
    ? prunedSdl(generated.get(output.prune), BACKEND_OPERATIONS)
    : toSdl(readIntrospection(tarball, output.source), output.directives);
  generated.set(output.target, sdl);
  const path = join(root, output.target);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (check) {
    if (current !== sdl) {
      console.error(`schemas: ${relative(root, path)} differs from ${PACKAGE}@${VERSION}; run node scripts/schemas.mjs`);
      stale += 1;
    }
  } else if (current !== sdl) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, sdl);
    console.log(`schemas: wrote ${relative(root, path)}`);
  }
}
if (stale) process.exit(1);
