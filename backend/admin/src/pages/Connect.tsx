// Where a connect link lands, opened in the admin of the store it names: what the move does, and
// the move itself. The token is in the link's fragment, which no server saw on the way here.
import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { Moved } from "../generated/api";

/// The token in a pasted link (`…/connect#token=clt_…`) or the token itself.
function tokenOf(text: string): string {
  const found = /clt_[A-Za-z0-9_-]+/.exec(text);
  return found ? found[0] : text.trim();
}

export function Connect() {
  const [pasted, setPasted] = useState(new URLSearchParams(location.hash.slice(1)).get("token") ?? "");
  const token = tokenOf(pasted);
  const [state, setState] = useState<{ done?: string; error?: string; moving?: boolean }>({});
  const move = async () => {
    setState({ moving: true });
    try {
      const moved = await api<Moved>("/api/connect", { method: "POST", body: { token } });
      history.replaceState(null, "", location.pathname);
      setState({ done: `${moved.shop} is now in the workspace “${moved.workspace}”.` });
    } catch (error) {
      setState({ error: error instanceof ApiError ? error.message : (error as Error).message });
    }
  };
  return (
    <s-page heading="Join a workspace">
      <s-section heading="Connect this store">
        <s-stack gap="base">
          {!state.done && (
            <s-text-field
              label="Connect link"
              details="The link the workspace's owner made for this store"
              value={pasted}
              onInput={(event: Event) => setPasted((event.currentTarget as HTMLInputElement).value)}
            />
          )}
          {token && !state.done && (
            <s-paragraph>
              This store joins the workspace the link is for: its segments, rules and data are then managed there, and
              its storefront pixel is set up again with that workspace's key. The link works once.
            </s-paragraph>
          )}
          {state.error && (
            <s-banner tone="critical" heading="The store was not moved">
              <s-paragraph>{state.error}</s-paragraph>
            </s-banner>
          )}
          {state.done && (
            <s-banner tone="success" heading="Connected">
              <s-paragraph>{state.done}</s-paragraph>
            </s-banner>
          )}
          {token && !state.done && (
            <s-stack direction="inline">
              <s-button variant="primary" loading={state.moving} onClick={move}>
                Move this store
              </s-button>
            </s-stack>
          )}
        </s-stack>
      </s-section>
    </s-page>
  );
}
