// The backend's admin API. Inside Shopify's admin, App Bridge adds the session token to every
// fetch to the app's own origin; errors come back as `{ "error", "path"?, "message"? }`, where a
// bad field's `message` is shown at the field its `path` names.

import type { ApiError as ApiRefusal } from "./generated/api";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path?: string,
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
    throw new ApiError(response.status, (refusal?.path ? refusal.message : refusal?.error) ?? response.statusText, refusal?.path);
  }
  return data as T;
}
