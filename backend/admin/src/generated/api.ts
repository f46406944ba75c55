// Generated from the backend's view types (backend/src/api_types.rs); do not edit.
// `SEGLINK_UPDATE_TYPES=1 cargo test -p seglink api_types` writes it anew.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

/** Every refusal: `path` (a JSON pointer) and `message` name the field when one is wrong. */
export type ApiError = { error: string, path?: string, message?: string, limit?: string, upgrade_url?: string | null };

/**
 * A moment, in whole seconds since the Unix epoch. Stored as the integer it is (`BIGINT` on
 * PostgreSQL, `INTEGER` on SQLite) and sent to the admin as a JSON number.
 */
export type UnixTime = number;

/**
 * Where a setup step of an install is.
 */
export type StepState = "pending" | "running" | "done" | "skipped" | "failed";

/**
 * Where the push of a segment's tags is.
 */
export type PushState = "never" | "queued" | "waiting" | "running" | "done" | "failed";

/**
 * Where the write of the discount rules to Shopify is.
 */
export type SyncState = "never" | "synced" | "failed";

/**
 * Where a store's latest product metafield run is.
 */
export type RunState = "running" | "done" | "failed";

/**
 * Who is talking: the store, the staff member, the workspace and the setup checklist.
 */
export type SessionView = { shop: string, 
/**
 * The staff member's id (the session token's `sub`).
 */
user: string, workspace: WorkspaceView, 
/**
 * Only in the answer that created the workspace: shown once, stored hashed.
 */
server_key: string | null, setup: Array<SetupStep>, 
/**
 * Scopes the app asks for that the store has not granted.
 */
missing_scopes: Array<string>, };

/**
 * The workspace a store belongs to.
 */
export type WorkspaceView = { slug: string, 
/**
 * The key the storefront pixel sends; not a secret.
 */
public_key: string, 
/**
 * The caller's store owns the workspace (may make links, rotate the server key).
 */
owned: boolean, };

/**
 * One step from install to a rule at checkout.
 */
export type SetupStep = { step: string, state: StepState, detail: string | null, };

/**
 * `GET /api/setup`.
 */
export type SetupProgress = { steps: Array<SetupStep>, done: number, total: number, };

/**
 * `GET /api/sync`.
 */
export type SyncHealth = { webhooks: Array<TopicSeen>, jobs: JobHealth, counts: Counts, last_pixel_event_at: UnixTime | null, };

/**
 * What a plan allows.
 */
export type Limits = { 
/**
 * Segments kept (suggestions not taken up do not count).
 */
segments: number, 
/**
 * Discount rules active at checkout.
 */
active_rules: number, 
/**
 * Customers an evaluation covers: a store with more is not evaluated in full.
 */
customers: number, 
/**
 * Storefront events stored per calendar month (UTC).
 */
pixel_events_per_month: number, };

/**
 * A plan as the Billing page lists it.
 */
export type PlanView = { handle: string, name: string, 
/**
 * Every 30 days, in US cents; 0 is free.
 */
monthly_cents: number, trial_days: number, limits: Limits, };

/**
 * What the store uses of each limit.
 */
export type Usage = { segments: number, active_rules: number, customers: number, 
/**
 * Storefront events stored this calendar month (UTC).
 */
pixel_events_this_month: number, };

/**
 * Where the shop's trial stands.
 */
export type TrialState = { "state": "none" } | { "state": "running", ends_at: UnixTime, } | { "state": "already_used", used_at: UnixTime, billing_starts: UnixTime, };

/**
 * The Billing page.
 */
export type BillingView = { 
/**
 * The plan Shopify says the store is on.
 */
plan: PlanView, 
/**
 * What applies now: the plan's, or the free plan's during a second trial.
 */
limits: Limits, usage: Usage, trial: TrialState, 
/**
 * A test charge (development store), never billed.
 */
test: boolean, current_period_end: UnixTime | null, 
/**
 * When this month's storefront events count starts again.
 */
month_resets_at: UnixTime, 
/**
 * When Shopify was last read; `None` if it never was.
 */
synced_at: UnixTime | null, 
/**
 * Shopify could not be read just now; the plan shown is the last read.
 */
stale: boolean, plans: Array<PlanView>, 
/**
 * Shopify's plan page, where the merchant changes plan and confirms.
 */
upgrade_url: string, };

/**
 * Events given up on for one reason.
 */
export type MetaDrop = { reason: string, events: number, };

/**
 * What forwarding has done.
 */
export type MetaHealthView = { sent: number, 
/**
 * Requests Meta failed or refused.
 */
failed: number, dropped: Array<MetaDrop>, 
/**
 * Events waiting to be sent.
 */
waiting: number, last_error: string | null, last_error_at: UnixTime | null, last_sent_at: UnixTime | null, };

/**
 * The Meta settings page.
 */
export type MetaView = { pixel_id: string | null, 
/**
 * Whether an access token is kept (it is never shown).
 */
token_saved: boolean, test_event_code: string | null, enabled: boolean, health: MetaHealthView, };

/**
 * A change of the settings; an absent or empty `access_token` keeps the saved one.
 */
export type MetaInput = { pixel_id: string, access_token: string | null, test_event_code: string | null, enabled: boolean, };

/**
 * The last delivery of one webhook topic.
 */
export type TopicSeen = { topic: string, last_received_at: UnixTime, };

/**
 * Jobs that are not well.
 */
export type JobHealth = { retrying: number, dead: Array<DeadJob>, };

/**
 * A job that ran out of attempts.
 */
export type DeadJob = { kind: string, error: string, };

/**
 * What Seglink stores of the shop.
 */
export type Counts = { customers: number, orders: number, products: number, };

/**
 * A segment with its membership, its push and its Shopify segment.
 */
export type SegmentView = { slug: string, name: string, 
/**
 * The rule tree as `crates/segment-rules` reads it (docs/segments.md).
 */
rules: JsonValue, 
/**
 * The customer tag members carry in Shopify.
 */
tag: string, member_count: number, 
/**
 * Proposed by Seglink after the backfill, not yet kept by the merchant.
 */
suggested: boolean, computed_at: UnixTime | null, created_at: UnixTime, updated_at: UnixTime, 
/**
 * `None` when the stored rules no longer parse.
 */
native: NativeView | null, push: PushView, 
/**
 * Conditions that read what the storefront reports, in words.
 */
storefront_signals: Array<string>, 
/**
 * An evaluation under way (after a save in a large store, or the nightly one); until it
 * ends, `member_count` is the last finished evaluation's.
 */
evaluation: EvaluationView | null, };

/**
 * The segment as a Shopify segment: its query, or why it cannot be one.
 */
export type NativeView = { 
/**
 * The merchant asked for a Shopify segment.
 */
enabled: boolean, segment_id: string | null, 
/**
 * ShopifyQL equal to the rules, when there is one.
 */
query: string | null, 
/**
 * Why the rules have no ShopifyQL equal (the tag query is used then).
 */
reason: string | null, 
/**
 * ShopifyQL that selects the members by their tag.
 */
tag_query: string, };

/**
 * How far an evaluation has come.
 */
export type EvaluationView = { 
/**
 * Customers evaluated so far.
 */
evaluated: number, 
/**
 * Customers it covers.
 */
total: number, };

/**
 * The last push of a segment's tags to Shopify.
 */
export type PushView = { state: PushState, added: number, removed: number, 
/**
 * Admin API calls it made.
 */
calls: number, bulk_running: boolean, 
/**
 * Drift repaired by the last reconciliation.
 */
repaired: number | null, reconciled_at: UnixTime | null, detail: string | null, updated_at: UnixTime | null, };

/**
 * `GET /api/segments`.
 */
export type SegmentList = { segments: Array<SegmentView>, };

/**
 * What unsaved rules would hold now.
 */
export type Preview = { 
/**
 * Customers held: counted, or in a large store estimated from a sample.
 */
count: number, 
/**
 * `count` is an estimate from `evaluated` customers sampled from the store.
 */
estimated: boolean, 
/**
 * Customers evaluated for the answer.
 */
evaluated: number, 
/**
 * A few of the customers they hold, to see whether the rules mean what the merchant meant.
 */
sample: Array<CustomerCard>, native: NativePreview, storefront_signals: Array<string>, };

/**
 * Whether unsaved rules translate into a Shopify segment.
 */
export type NativePreview = { query: string | null, reason: string | null, };

/**
 * A customer as the admin names them.
 */
export type CustomerCard = { customer_id: string, email: string | null, 
/**
 * First and last name; empty when unknown or redacted.
 */
name: string, };

/**
 * `GET /api/customers`.
 */
export type CustomerSearch = { customers: Array<CustomerCard>, };

/**
 * A member, for the admin's list.
 */
export type MemberRow = { 
/**
 * The customer.
 */
customer_id: string, 
/**
 * When they entered.
 */
since: UnixTime, 
/**
 * Personal data, absent once redacted.
 */
email: string | null, 
/**
 * Personal data.
 */
first_name: string | null, 
/**
 * Personal data.
 */
last_name: string | null, };

/**
 * A page of members; `next` is where the following page starts.
 */
export type MembersPage = { members: Array<MemberRow>, next: string | null, };

/**
 * A customer who entered or left.
 */
export type Change = { customer_id: string, 
/**
 * `entered` or `left`.
 */
change: string, at: UnixTime, };

/**
 * `GET /api/segments/{slug}/changes`.
 */
export type Changes = { changes: Array<Change>, };

/**
 * Why a customer is in or out, condition by condition.
 */
export type Explanation = { customer_id: string, 
/**
 * What the rules say now.
 */
member: boolean, 
/**
 * What the last evaluation stored (and pushed).
 */
recorded_member: boolean, conditions: Array<ConditionOutcome>, };

/**
 * One condition's outcome for a customer.
 */
export type ConditionOutcome = { 
/**
 * JSON pointer into the rules, such as `/all/1`.
 */
path: string, held: boolean, 
/**
 * The values compared, in words.
 */
detail: string, };

/**
 * One segment's full evaluation.
 */
export type Recomputed = { slug: string, members: number, entered: number, left: number, };

/**
 * `POST /api/segments/recompute`.
 */
export type RecomputeReport = { 
/**
 * What each segment's evaluation changed, when it ran inside the request.
 */
segments: Array<Recomputed>, 
/**
 * Where a queued evaluation starts (a large store); each segment shows its progress.
 */
evaluation: EvaluationView | null, };

/**
 * A store's latest metafield run.
 */
export type MetafieldRun = { state: RunState, 
/**
 * `shop` or one product's id.
 */
scope: string, started_at: UnixTime, finished_at: UnixTime | null, 
/**
 * Products up to this id are done.
 */
checkpoint: string | null, 
/**
 * Products whose values were computed.
 */
products: number, 
/**
 * Of those, whose values differed from what Shopify last received.
 */
changed: number, 
/**
 * Metafields written.
 */
written: number, 
/**
 * `metafieldsSet` calls made.
 */
calls: number, 
/**
 * Products Shopify no longer has.
 */
missing: number, 
/**
 * Why it failed.
 */
detail: string | null, };

/**
 * `GET /api/products/metafields`: the latest run, if there was one.
 */
export type MetafieldRunView = { run: MetafieldRun | null, 
/**
 * A run is queued and has not started yet.
 */
queued: boolean, };

/**
 * One merchant rule: members of a segment get a discount at checkout.
 */
export type Rule = { 
/**
 * Slug of the segment whose members qualify; they carry the tag `seglink:<slug>`.
 */
segment: string, 
/**
 * Text the buyer sees next to the discount.
 */
title: string, 
/**
 * How much is taken off.
 */
value: DiscountValue, 
/**
 * What the discount applies to.
 */
target: Target, 
/**
 * Minimum subtotal in the shop's currency: of the order for order and shipping rules, of
 * the matching lines for product rules.
 */
minimumSubtotal: string | null, 
/**
 * Minimum number of matching items (product rules only).
 */
minimumQuantity: number | null, 
/**
 * Breaks ties between rules that take off the same amount; higher wins.
 */
priority: number, 
/**
 * Inactive rules are kept but never reach checkout.
 */
active: boolean, };

/**
 * How much a rule takes off.
 */
export type DiscountValue = { "percentage": string } | { "fixedAmount": string };

/**
 * What a rule's discount applies to.
 */
export type Target = { "type": "orderSubtotal" } | { "type": "collections", "ids": Array<string> } | { "type": "products", "ids": Array<string> } | { "type": "shipping" };

/**
 * A stored rule and its id.
 */
export type RuleView = { id: number, 
/**
 * Slug of the segment whose members qualify; they carry the tag `seglink:<slug>`.
 */
segment: string, 
/**
 * Text the buyer sees next to the discount.
 */
title: string, 
/**
 * How much is taken off.
 */
value: DiscountValue, 
/**
 * What the discount applies to.
 */
target: Target, 
/**
 * Minimum subtotal in the shop's currency: of the order for order and shipping rules, of
 * the matching lines for product rules.
 */
minimumSubtotal: string | null, 
/**
 * Minimum number of matching items (product rules only).
 */
minimumQuantity: number | null, 
/**
 * Breaks ties between rules that take off the same amount; higher wins.
 */
priority: number, 
/**
 * Inactive rules are kept but never reach checkout.
 */
active: boolean, };

/**
 * The last write of the rules to the discount's metafield in Shopify.
 */
export type SyncView = { state: SyncState, discount_id: string | null, 
/**
 * Size of the metafield written.
 */
bytes: number | null, detail: string | null, synced_at: UnixTime | null, };

/**
 * Every rule, and where Shopify stands.
 */
export type RuleList = { rules: Array<RuleView>, sync: SyncView, };

/**
 * `POST /api/discount-rules/try`.
 */
export type TrialInput = { customer_id: string, cart: Cart, };

/**
 * A sample cart.
 */
export type Cart = { lines: Array<CartLine>, 
/**
 * The shipping option's price; none when the cart ships free or is picked up.
 */
shipping?: string, };

/**
 * A cart line: a product, how many, at what unit price in the shop's currency.
 */
export type CartLine = { 
/**
 * `gid://shopify/Product/…`.
 */
product_id: string, quantity: number, price: string, };

/**
 * What the Function gives at checkout, and why each rule does or does not.
 */
export type Trial = { 
/**
 * The discounts Shopify applies: the largest order and product discount, every shipping one.
 */
discounts: Array<Given>, 
/**
 * Their sum, in the shop's currency.
 */
total_off: string, 
/**
 * Every active rule, in the Function's order, with its outcome.
 */
rules: Array<RuleOutcome>, 
/**
 * The segment tags the customer holds in Seglink (pushed to Shopify by the segment push).
 */
tags: Array<string>, };

/**
 * A discount the Function gives.
 */
export type Given = { 
/**
 * `order`, `product` or `shipping`.
 */
class: string, 
/**
 * The rule's title, as the buyer sees it.
 */
title: string, 
/**
 * Such as `10%` or `5.00`.
 */
value: string, 
/**
 * What it takes off this cart, in the shop's currency.
 */
amount: string, };

/**
 * One rule's outcome for the cart.
 */
export type RuleOutcome = { rule_id: number, title: string, segment: string, 
/**
 * The Function offered it for this cart.
 */
qualifies: boolean, 
/**
 * Why not, in words; or why it was offered but not applied.
 */
reason: string | null, };

/**
 * `GET /api/discount-rules/guest-misses`.
 */
export type GuestMisses = { 
/**
 * Orders that would have had a discount, newest first.
 */
orders: Array<GuestMiss>, 
/**
 * What those orders missed together, in the shop's currency.
 */
total_missed: string, 
/**
 * Guest orders of members read, with or without a miss.
 */
orders_checked: number, 
/**
 * The report covers orders since then (Unix seconds).
 */
since: UnixTime, };

/**
 * A member's guest order and what it missed.
 */
export type GuestMiss = { order_id: string, order_name: string | null, placed_at: UnixTime, customer_id: string, email: string | null, 
/**
 * The member's segments now.
 */
segments: Array<string>, 
/**
 * What the discounts would have taken off.
 */
missed: string, discounts: Array<Given>, };

/**
 * Whether Shopify runs the pixel, and what it sent last.
 */
export type PixelStatus = { connected: boolean, 
/**
 * The provisioning step's state.
 */
state: StepState, detail: string | null, 
/**
 * Where the pixel posts.
 */
endpoint: string, last_events: Array<PixelEvent>, settings: PixelSettingsView, 
/**
 * The standard events the merchant may choose among, in the pixel API's names.
 */
trackable_events: Array<string>, };

/**
 * An event the pixel sent.
 */
export type PixelEvent = { kind: string, occurred_at: UnixTime, 
/**
 * Tied to a known customer.
 */
linked: boolean, };

/**
 * A reconnect under way.
 */
export type Reconnecting = { state: StepState, };

/**
 * What the merchant chose the pixel to send.
 */
export type PixelSettingsView = { 
/**
 * Standard events sent; empty for every one. `checkout_completed` is always sent.
 */
tracked_events: Array<string>, 
/**
 * Visitors tracked, in percent (1 to 100); the same visitor is always in or out.
 */
sampling_percent: number, };

/**
 * Which orders Seglink leaves out, and how long it waits for post-purchase upsells.
 */
export type PolicyView = { 
/**
 * Sales channel handles, such as `pos`.
 */
excluded_channels: Array<string>, 
/**
 * Order tags.
 */
excluded_tags: Array<string>, exclude_test_orders: boolean, upsell_delay_minutes: number, };

/**
 * A privacy request as the admin lists it (the API answers with it as it is).
 */
export type PrivacyRequest = { 
/**
 * Its row.
 */
id: number, 
/**
 * `customers/data_request`, `customers/redact` or `shop/redact`.
 */
topic: string, 
/**
 * The customer, for the customer topics.
 */
customer_id: string | null, 
/**
 * Unix seconds.
 */
received_at: UnixTime, 
/**
 * 30 days after it arrived.
 */
due_at: UnixTime, 
/**
 * When Seglink carried it out.
 */
completed_at: UnixTime | null, 
/**
 * Whether a data request's export waits to be downloaded.
 */
export_ready: boolean, 
/**
 * Until when it does.
 */
export_expires_at: UnixTime | null, };

/**
 * `GET /api/privacy-requests`.
 */
export type PrivacyRequests = { requests: Array<PrivacyRequest>, };

/**
 * How long Seglink keeps what it holds: the one choice the merchant makes, and the rules
 * that are fixed.
 */
export type RetentionView = { 
/**
 * Days storefront (pixel) events are kept; older ones go nightly. 30 to 3650.
 */
storefront_event_days: number, };

/**
 * A store of the workspace and how Seglink reaches it.
 */
export type ConnectedStore = { shop: string, 
/**
 * `managed` (installed from Shopify) or `custom` (a custom app's token).
 */
connection: string, active: boolean, 
/**
 * It owns the workspace.
 */
owner: boolean, };

/**
 * `GET /api/connections`.
 */
export type ConnectedStores = { stores: Array<ConnectedStore>, };

/**
 * A store connected with a custom app's token.
 */
export type CustomConnected = { shop: string, 
/**
 * The scopes the token grants.
 */
scopes: Array<string>, };

/**
 * A custom-app store whose token was replaced.
 */
export type Rotated = { shop: string, rotated: boolean, };

/**
 * A connect link and what became of it.
 */
export type LinkView = { id: string, 
/**
 * The one store that may use it.
 */
for_shop: string, created_by: string, created_at: UnixTime, expires_at: UnixTime, used_at: UnixTime | null, revoked_at: UnixTime | null, };

/**
 * A link just made: the only answer that carries its token.
 */
export type NewLinkView = { token: string, 
/**
 * The page the other store opens, with the token in its fragment.
 */
url: string, id: string, 
/**
 * The one store that may use it.
 */
for_shop: string, created_by: string, created_at: UnixTime, expires_at: UnixTime, used_at: UnixTime | null, revoked_at: UnixTime | null, };

/**
 * `GET /api/connect-links`.
 */
export type LinkList = { links: Array<LinkView>, };

/**
 * A store moved by a connect link.
 */
export type Moved = { shop: string, 
/**
 * The workspace it is in now.
 */
workspace: string, };

/**
 * A new server key: shown in this answer only, stored hashed.
 */
export type ServerKey = { server_key: string, };
