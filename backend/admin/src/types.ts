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
