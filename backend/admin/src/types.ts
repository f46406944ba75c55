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
