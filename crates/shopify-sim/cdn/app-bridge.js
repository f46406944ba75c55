// shopify-sim's stand-in for App Bridge (cdn.shopify.com/shopifycloud/app-bridge.js), for tests
// and the demo, where Shopify's CDN is out of reach. It implements what Seglink's admin uses:
// shopify.idToken(), the session token on every fetch to the app's own origin (and one retry
// when the app asks for a fresh token), the bounce page's shopify-reload, toast, resourcePicker
// over the simulated shop, saveBar, scopes and config. Tokens come from the simulator, which
// signs them with the app's secret as Shopify's admin does.
(() => {
  const cdn = new URL(document.currentScript.src).origin;
  const query = new URLSearchParams(location.search);
  // A framed app on another site may not reach storage: the launch query names the shop anyway.
  const stored = (write) => {
    try {
      return write === undefined ? sessionStorage.getItem("shopify-sim-shop") : sessionStorage.setItem("shopify-sim-shop", write);
    } catch {
      return null;
    }
  };
  const shop = query.get("shop") || stored();
  if (shop) stored(shop);
  const apiKey = document.querySelector('meta[name="shopify-api-key"]')?.content ?? "";
  const nativeFetch = window.fetch.bind(window);

  async function idToken() {
    const response = await nativeFetch(`${cdn}/shopifycloud/id-token?shop=${encodeURIComponent(shop ?? "")}`);
    if (!response.ok) throw new Error(`the simulator gave no session token (${response.status})`);
    return (await response.json()).token;
  }

  const reload = query.get("shopify-reload");
  if (reload) {
    idToken().then((token) => {
      const target = new URL(reload);
      target.searchParams.set("id_token", token);
      location.replace(target.toString());
    });
  }

  window.fetch = async (input, init = {}) => {
    const request = new Request(input, init);
    if (new URL(request.url).origin !== location.origin) return nativeFetch(request);
    const send = async () => {
      const authorised = request.clone();
      authorised.headers.set("Authorization", `Bearer ${await idToken()}`);
      return nativeFetch(authorised);
    };
    const response = await send();
    if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1") {
      return send();
    }
    return response;
  };

  function toastRegion() {
    let region = document.getElementById("shopify-sim-toasts");
    if (!region) {
      region = document.createElement("div");
      region.id = "shopify-sim-toasts";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.style.cssText = "position:fixed;bottom:16px;left:50%;transform:translateX(-50%);z-index:1000";
      document.body.append(region);
    }
    return region;
  }

  function show(message, options = {}) {
    const toast = document.createElement("div");
    toast.className = options.isError ? "shopify-sim-toast error" : "shopify-sim-toast";
    toast.textContent = message;
    if (options.action && options.onAction) {
      const action = document.createElement("button");
      action.textContent = options.action;
      action.style.cssText = "margin-left:12px;color:inherit;background:none;border:1px solid #fff;border-radius:6px;padding:2px 8px";
      action.addEventListener("click", () => options.onAction());
      toast.append(action);
    }
    toast.style.cssText = `margin-top:8px;padding:10px 16px;border-radius:8px;color:#fff;font:14px system-ui;background:${options.isError ? "#8e1f0b" : "#303030"}`;
    toastRegion().append(toast);
    setTimeout(() => toast.remove(), options.duration ?? 5000);
  }

  async function resourcePicker({ type, multiple = false, selectionIds = [] }) {
    const response = await nativeFetch(`${cdn}/shopifycloud/resources?type=${encodeURIComponent(type)}`);
    const resources = await response.json();
    const chosen = new Set(selectionIds.map((selection) => selection.id));
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.id = "shopify-sim-resource-picker";
      dialog.setAttribute("aria-label", `Select ${type}s`);
      const list = resources
        .map(
          (resource) =>
            `<label style="display:block;padding:4px 0"><input type="${multiple ? "checkbox" : "radio"}" name="pick" value="${resource.id}" ${chosen.has(resource.id) ? "checked" : ""}> ${resource.title.replace(/</g, "&lt;")}</label>`,
        )
        .join("");
      dialog.innerHTML = `<form method="dialog"><h2 style="font:600 16px system-ui">Select ${type}s</h2>${list}<menu style="display:flex;gap:8px;padding:0"><button value="cancel">Cancel</button><button value="select">Select</button></menu></form>`;
      document.body.append(dialog);
      dialog.addEventListener("close", () => {
        const picked = [...dialog.querySelectorAll("input:checked")].map((input) => input.value);
        dialog.remove();
        resolve(
          dialog.returnValue === "select" ? resources.filter((resource) => picked.includes(resource.id)) : undefined,
        );
      });
      dialog.showModal();
    });
  }

  // The save bar: App Bridge shows the `<ui-save-bar id>` element's buttons in the admin's top
  // bar and forwards their clicks; here the bar is drawn over the page the same way.
  const saveBars = new Set();
  function drawSaveBars() {
    document.documentElement.dataset.saveBar = [...saveBars].join(" ");
    document.getElementById("shopify-sim-save-bar")?.remove();
    const shown = [...saveBars].map((id) => document.getElementById(id)).find(Boolean);
    if (!shown) return;
    const bar = document.createElement("div");
    bar.id = "shopify-sim-save-bar";
    bar.setAttribute("role", "region");
    bar.setAttribute("aria-label", "Unsaved changes");
    bar.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10;display:flex;gap:8px;justify-content:flex-end;padding:8px 16px;background:#1a1a1a;color:#fff";
    bar.append("Unsaved changes ");
    for (const button of shown.querySelectorAll("button")) {
      const copy = document.createElement("button");
      copy.textContent = button.textContent;
      copy.addEventListener("click", () => button.click());
      bar.append(copy);
    }
    document.body.append(bar);
  }
  // Its buttons never show in the page itself.
  customElements.define("ui-save-bar", class extends HTMLElement {
    connectedCallback() {
      this.hidden = true;
    }
  });
  function saveBarElement(id) {
    const element = document.getElementById(id);
    if (!element || element.localName !== "ui-save-bar") throw new Error(`no <ui-save-bar id="${id}"> in the document`);
    return element;
  }
  window.shopify = {
    idToken,
    toast: { show },
    resourcePicker,
    saveBar: {
      show: async (id) => {
        saveBarElement(id);
        saveBars.add(id);
        drawSaveBars();
      },
      hide: async (id) => {
        saveBars.delete(id);
        drawSaveBars();
      },
    },
    scopes: {
      query: async () => ({ granted: [], required: [], optional: [] }),
      request: async () => ({ result: "granted-all" }),
    },
    config: { shop: shop ?? "", apiKey, locale: query.get("locale") ?? "en" },
  };
})();
