// The shapes of the backend's answers the admin reads.

export interface SetupStep {
  step: string;
  state: "pending" | "running" | "done" | "skipped" | "failed" | string;
  detail: string | null;
}

export interface Setup {
  steps: SetupStep[];
  done: number;
  total: number;
}

export interface Session {
  shop: string;
  user: string;
  workspace: { slug: string; public_key: string };
  server_key: string | null;
  setup: SetupStep[];
  missing_scopes: string[];
}

export interface Push {
  state: string;
  added?: number;
  removed?: number;
  updated_at?: number;
  detail?: string | null;
}

export interface Segment {
  slug: string;
  name: string;
  rules: unknown;
  tag: string;
  member_count: number;
  suggested: boolean;
  computed_at: number | null;
  native: { enabled: boolean; segment_id: string | null; query: string | null; reason: string | null } | null;
  push: Push;
  storefront_signals: string[];
}

export type RuleValue = { percentage: string } | { fixedAmount: string };
export type RuleTarget =
  | { type: "orderSubtotal" }
  | { type: "shipping" }
  | { type: "collections"; ids: string[] }
  | { type: "products"; ids: string[] };

export interface DiscountRule {
  id: number;
  segment: string;
  title: string;
  value: RuleValue;
  target: RuleTarget;
  minimumSubtotal: string | null;
  minimumQuantity: number | null;
  priority: number;
  active: boolean;
}

export interface DiscountSync {
  state: string;
  discount_id?: string | null;
  detail?: string | null;
  synced_at?: number;
}

export interface Rules {
  rules: DiscountRule[];
  sync: DiscountSync;
}

export interface IngestionPolicy {
  excluded_channels: string[];
  excluded_tags: string[];
  exclude_test_orders: boolean;
  upsell_delay_minutes: number;
}

export interface PrivacyRequest {
  id: number;
  topic: string;
  customer_id: string | null;
  received_at: number;
  due_at: number;
  completed_at: number | null;
  export_ready: boolean;
  export_expires_at: number | null;
}

export interface ConnectedStore {
  shop: string;
  connection: string;
  active: boolean;
  owner: boolean;
}

export interface ConnectLink {
  id: string;
  for_shop: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  url?: string;
}

export interface PixelStatus {
  connected: boolean;
  state: string;
  detail: string | null;
  endpoint: string;
  last_events: { kind: string; occurred_at: number; linked: boolean }[];
}

export interface SyncHealth {
  webhooks: { topic: string; last_received_at: number }[];
  jobs: { retrying: number; dead: { kind: string; error: string }[] };
  counts: { customers: number; orders: number; products: number };
  last_pixel_event_at: number | null;
}
