// Settings: the workspace's keys, what Seglink ingests, the workspace's stores (custom-app
// connections, connect links), and privacy requests with their due dates (App Home's settings
// pattern).
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { useApi } from "../hooks";
import { Pending } from "../Pending";
import { CustomApps } from "./CustomApps";
import { Keys } from "./Keys";
import { MetaForwarding } from "./MetaForwarding";
import { Retention } from "./Retention";
import type { ConnectedStores, LinkList, LinkView, NewLinkView, PolicyView, PrivacyRequest, PrivacyRequests, SessionView } from "../generated/api";

const day = (seconds: number | null) => (seconds ? new Date(seconds * 1000).toLocaleDateString() : "");
const list = (text: string) => text.split(",").map((item) => item.trim()).filter(Boolean);
const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

function Policy() {
  const loaded = useApi<PolicyView>("/api/ingestion-policy");
  const [form, setForm] = useState({ channels: "", tags: "", tests: true, delay: "0" });
  const [saved, setSaved] = useState(form);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    if (loaded.state !== "loaded") return;
    const policy = loaded.data;
    const read = {
      channels: policy.excluded_channels.join(", "),
      tags: policy.excluded_tags.join(", "),
      tests: policy.exclude_test_orders,
      delay: String(policy.upsell_delay_minutes),
    };
    setForm(read);
    setSaved(read);
  }, [loaded.state]);
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  useEffect(() => {
    if (dirty) shopify.saveBar.show("policy");
    else shopify.saveBar.hide("policy");
  }, [dirty]);
  const save = async () => {
    try {
      const policy = await api<PolicyView>("/api/ingestion-policy", {
        method: "PUT",
        body: {
          excluded_channels: list(form.channels),
          excluded_tags: list(form.tags),
          exclude_test_orders: form.tests,
          upsell_delay_minutes: Number(form.delay),
        },
      });
      const read = { ...form, delay: String(policy.upsell_delay_minutes) };
      setSaved(read);
      setForm(read);
      setErrors({});
      shopify.toast.show("Ingestion policy saved");
    } catch (error) {
      if (error instanceof ApiError) setErrors({ [(error.path ?? "/").replace(/\/\d+$/, "")]: error.message });
    }
  };
  return (
    <s-section heading="What Seglink counts">
      <ui-save-bar id="policy">
        <button variant="primary" onClick={save}>Save</button>
        <button onClick={() => setForm(saved)}>Discard</button>
      </ui-save-bar>
      <Pending loaded={loaded} what="the ingestion policy" />
      {loaded.state === "loaded" && (
        <s-stack gap="base">
          <s-text-field
            label="Leave out orders from these channels"
            details="Comma-separated sales channels, such as pos"
            value={form.channels}
            error={errors["/excluded_channels"]}
            onInput={(event: Event) => setForm({ ...form, channels: value(event) })}
          />
          <s-text-field
            label="Leave out orders with these tags"
            value={form.tags}
            error={errors["/excluded_tags"]}
            onInput={(event: Event) => setForm({ ...form, tags: value(event) })}
          />
          <s-checkbox
            label="Leave out test orders"
            checked={form.tests}
            onChange={(event: Event) => setForm({ ...form, tests: (event.currentTarget as HTMLInputElement).checked })}
          />
          <s-number-field
            label="Hold new orders for post-purchase upsells (minutes)"
            value={form.delay}
            error={errors["/upsell_delay_minutes"]}
            onInput={(event: Event) => setForm({ ...form, delay: value(event) })}
          />
          <s-stack direction="inline" gap="small-200">
            <s-button variant="primary" disabled={!dirty} onClick={save}>
              Save
            </s-button>
            <s-button disabled={!dirty} onClick={() => setForm(saved)}>
              Discard
            </s-button>
          </s-stack>
        </s-stack>
      )}
    </s-section>
  );
}

function Stores() {
  const [version, setVersion] = useState(0);
  const stores = useApi<ConnectedStores>(`/api/connections?v=${version}`);
  const links = useApi<LinkList>("/api/connect-links");
  const [made, setMade] = useState<LinkView[] | null>(null);
  const [shop, setShop] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [fresh, setFresh] = useState<NewLinkView | null>(null);
  const current = made ?? (links.state === "loaded" ? links.data.links : []);
  const refresh = async () => setMade((await api<LinkList>("/api/connect-links")).links);
  const invite = async () => {
    try {
      setFresh(await api<NewLinkView>("/api/connect-links", { method: "POST", body: { shop } }));
      setError(undefined);
      setShop("");
      await refresh();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const revoke = async (id: string) => {
    await api(`/api/connect-links/${id}`, { method: "DELETE" });
    shopify.toast.show("Link revoked");
    await refresh();
  };
  return (
    <s-section heading="Stores in this workspace">
      <s-stack gap="large">
        <Pending loaded={stores} what="the stores" />
        {stores.state === "loaded" && (
          <s-table>
            <s-table-header-row>
              <s-table-header>Store</s-table-header>
              <s-table-header>Connection</s-table-header>
              <s-table-header>Status</s-table-header>
            </s-table-header-row>
            <s-table-body>
              {stores.data.stores.map((store) => (
                <s-table-row>
                  <s-table-cell>
                    {store.shop} {store.owner && <s-badge>Owner</s-badge>}
                  </s-table-cell>
                  <s-table-cell>{store.connection === "custom" ? "Custom app" : "Installed"}</s-table-cell>
                  <s-table-cell>{store.active ? "Connected" : "Disconnected"}</s-table-cell>
                </s-table-row>
              ))}
            </s-table-body>
          </s-table>
        )}
        {stores.state === "loaded" && <CustomApps stores={stores.data.stores} onChange={() => setVersion(version + 1)} />}
        {links.state === "loaded" && (
          <s-stack gap="base">
            <s-heading>Invite another store</s-heading>
            <s-text-field
              label="Store domain"
              details="The link works once, for this store only, for 24 hours"
              placeholder="another-store.myshopify.com"
              value={shop}
              error={error}
              onInput={(event: Event) => setShop(value(event))}
            />
            <s-stack direction="inline">
              <s-button onClick={invite}>Make a connect link</s-button>
            </s-stack>
            {fresh?.url && (
              <s-banner tone="success" heading={`A link for ${fresh.for_shop}`}>
                <s-paragraph>
                  In that store's admin, open Seglink's “Join a workspace” page (/connect) and paste:{" "}
                  <s-text type="code" data-connect-url>{fresh.url}</s-text>
                </s-paragraph>
              </s-banner>
            )}
            {current.map((link) => (
              <s-stack direction="inline" gap="small-200" data-link={link.id}>
                <s-text>{link.for_shop}</s-text>
                <s-badge tone={link.used_at ? "success" : link.revoked_at ? "critical" : "info"}>
                  {link.used_at ? `Used ${day(link.used_at)}` : link.revoked_at ? "Revoked" : `Open until ${day(link.expires_at)}`}
                </s-badge>
                {!link.used_at && !link.revoked_at && (
                  <s-button tone="critical" onClick={() => revoke(link.id)}>
                    Revoke
                  </s-button>
                )}
              </s-stack>
            ))}
          </s-stack>
        )}
        {links.state === "failed" && <s-paragraph>Only the workspace's owner store invites other stores.</s-paragraph>}
        <s-paragraph>
          Invited into another workspace? <s-link href="/connect">Join a workspace</s-link>
        </s-paragraph>
      </s-stack>
    </s-section>
  );
}

function Privacy() {
  const loaded = useApi<PrivacyRequests>("/api/privacy-requests");
  const download = async (request: PrivacyRequest) => {
    const data = await api<unknown>(`/api/privacy-requests/${request.id}/export`);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    link.download = `customer-data-${request.id}.json`;
    link.click();
    shopify.toast.show("Export downloaded; it is deleted from Seglink now");
  };
  const TOPICS: Record<string, string> = {
    "customers/data_request": "Customer data request",
    "customers/redact": "Customer erasure",
    "shop/redact": "Store erasure",
  };
  return (
    <s-section heading="Privacy requests">
      <Pending loaded={loaded} what="privacy requests" />
      {loaded.state === "loaded" && loaded.data.requests.length === 0 && (
        <s-paragraph>None so far. Shopify sends them here; each is carried out within its 30 days.</s-paragraph>
      )}
      {loaded.state === "loaded" && loaded.data.requests.length > 0 && (
        <s-table>
          <s-table-header-row>
            <s-table-header>Request</s-table-header>
            <s-table-header>Received</s-table-header>
            <s-table-header>Due</s-table-header>
            <s-table-header>Done</s-table-header>
            <s-table-header>Export</s-table-header>
          </s-table-header-row>
          <s-table-body>
            {loaded.data.requests.map((request) => (
              <s-table-row>
                <s-table-cell>{TOPICS[request.topic] ?? request.topic}</s-table-cell>
                <s-table-cell>{day(request.received_at)}</s-table-cell>
                <s-table-cell>{day(request.due_at)}</s-table-cell>
                <s-table-cell>{request.completed_at ? day(request.completed_at) : "Pending"}</s-table-cell>
                <s-table-cell>
                  {request.export_ready ? <s-button onClick={() => download(request)}>Download once</s-button> : ""}
                </s-table-cell>
              </s-table-row>
            ))}
          </s-table-body>
        </s-table>
      )}
    </s-section>
  );
}

export function Settings() {
  const session = useApi<SessionView>("/api/session");
  return (
    <s-page heading="Settings">
      {session.state === "loaded" ? (
        <Keys session={session.data} />
      ) : (
        <s-section heading="Keys">
          <Pending loaded={session} what="the workspace" />
        </s-section>
      )}
      <Policy />
      <Stores />
      <Privacy />
      <Retention />
      <MetaForwarding />
    </s-page>
  );
}
