// The backend's admin API. Inside Shopify's admin, App Bridge adds the session token to every
// fetch to the app's own origin; errors come back as `{ "error", "path"?, "message"? }`, where a
// bad field's `message` is shown at the field its `path` names, and a plan's limit as
// `{ "error", "limit", "upgrade_url" }`.

import type { ApiError as ApiRefusal } from "./generated/api";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path?: string,
    // Over a plan's limit (402): Shopify's plan page.
    readonly upgradeUrl?: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body === undefined ? {} : { "Content-Type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const refusal = data as ApiRefusal | null;
    const message = (refusal?.path ? refusal.message : refusal?.error) ?? response.statusText;
    throw new ApiError(response.status, message, refusal?.path, refusal?.upgrade_url ?? undefined);
  }
  return data as T;
}

// A failed request told to the merchant; over a plan's limit, with the way to upgrade.
export function toastError(error: unknown) {
  if (error instanceof ApiError && error.upgradeUrl) {
    const url = error.upgradeUrl;
    shopify.toast.show(error.message, { isError: true, action: "Upgrade", onAction: () => open(url, "_top") });
  } else {
    shopify.toast.show((error as Error).message, { isError: true });
  }
}
