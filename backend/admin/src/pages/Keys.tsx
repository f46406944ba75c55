// The workspace's keys: the public key the storefront pixel sends, and the server key, shown
// once when made and rotatable by the owner store (the old key stops working at once).
import { useState } from "preact/hooks";
import { api } from "../api";
import type { ServerKey, SessionView } from "../generated/api";

export function Keys(props: { session: SessionView }) {
  const { workspace } = props.session;
  const [fresh, setFresh] = useState<string | null>(props.session.server_key);
  const [confirming, setConfirming] = useState(false);
  const rotate = async () => {
    try {
      setFresh((await api<ServerKey>("/api/server-key", { method: "POST" })).server_key);
      setConfirming(false);
      shopify.toast.show("Server key rotated: the old key no longer works");
    } catch (error) {
      shopify.toast.show((error as Error).message, { isError: true });
    }
  };
  return (
    <s-section heading="Keys">
      <s-stack gap="base">
        <s-paragraph>
          The pixel sends events with the public key <s-text type="code">{workspace.public_key}</s-text> of the workspace
          “{workspace.slug}”. It is not a secret.
        </s-paragraph>
        {fresh && (
          <s-banner tone="warning" heading="Copy the server key now">
            <s-paragraph>
              <s-text type="code" data-server-key>{fresh}</s-text>
            </s-paragraph>
            <s-paragraph>Seglink keeps only its hash: it is shown this once.</s-paragraph>
          </s-banner>
        )}
        {workspace.owned ? (
          confirming ? (
            <s-stack direction="inline" gap="small-200">
              <s-text>Servers using the current key stop working until they get the new one.</s-text>
              <s-button tone="critical" onClick={rotate}>
                Rotate now
              </s-button>
              <s-button onClick={() => setConfirming(false)}>Keep the current key</s-button>
            </s-stack>
          ) : (
            <s-stack direction="inline">
              <s-button onClick={() => setConfirming(true)}>Rotate the server key</s-button>
            </s-stack>
          )
        ) : (
          <s-paragraph>The workspace's owner store rotates its server key.</s-paragraph>
        )}
      </s-stack>
    </s-section>
  );
}
