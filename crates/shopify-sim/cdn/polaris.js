// shopify-sim's stand-in for Polaris web components (cdn.shopify.com/shopifycloud/polaris-1.js),
// for tests and the demo. Each `s-*` element Seglink's admin uses is a custom element with the
// same attributes, properties and events, rendered with native controls in its shadow root (the
// app's children stay in the light DOM, where the app's framework keeps them). Looks are plain;
// roles, labels and keyboard use are those of the native controls.
(() => {
  const css = `
    :host { display: block; font: 14px/1.45 system-ui, sans-serif; color: #303030 }
    :host([hidden]) { display: none }
    h1 { font-size: 20px; margin: 0 0 16px } h2 { font-size: 16px; margin: 0 0 12px }
    .section { background: #fff; border-radius: 12px; padding: 16px; margin-bottom: 16px; box-shadow: 0 1px 2px #0002 }
    .badge { display: inline-block; border-radius: 8px; padding: 0 8px; background: #e3e3e3; font-size: 12px }
    .badge.success { background: #cdfee1; color: #0c5132 } .badge.critical { background: #fedad9; color: #8e1f0b }
    .badge.info { background: #e0f0ff; color: #00527c } .badge.warning { background: #fff1e3; color: #5e4200 }
    .banner { border-radius: 12px; padding: 12px 16px; margin-bottom: 12px; background: #eef4fb }
    .banner.critical { background: #fee9e8 } .banner.warning { background: #fff5ea } .banner.success { background: #e9fbf0 }
    label { display: block; font-weight: 500; margin-bottom: 4px }
    input, select { font: inherit; padding: 6px 8px; border: 1px solid #8a8a8a; border-radius: 8px; width: 100%; box-sizing: border-box }
    .error { color: #8e1f0b; margin-top: 4px }
    button { font: inherit; padding: 6px 12px; border-radius: 8px; border: 1px solid #8a8a8a; background: #fff; cursor: pointer }
    button.primary { background: #303030; color: #fff; border-color: #303030 }
    button.critical { color: #8e1f0b }
    progress { width: 100% }
    a { color: #005bd3 }
    table { border-collapse: collapse; width: 100% } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e3e3 }
  `;
  const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // Element: [properties, render(host) -> shadow HTML, after(host, shadow)]
  const elements = {
    "s-page": [["heading"], (h) => `${h.heading ? `<h1>${escape(h.heading)}</h1>` : ""}<slot name="primary-action"></slot><slot></slot>`],
    "s-section": [["heading"], (h) => `<section class="section" aria-label="${escape(h.heading)}">${h.heading ? `<h2>${escape(h.heading)}</h2>` : ""}<slot></slot></section>`],
    "s-box": [["padding"], () => `<slot></slot>`],
    "s-stack": [["direction", "gap"], (h) => `<div style="display:flex;flex-direction:${h.direction === "inline" ? "row" : "column"};gap:${h.direction === "inline" ? "8px" : "12px"};flex-wrap:wrap;align-items:${h.direction === "inline" ? "center" : "stretch"}"><slot></slot></div>`],
    "s-grid": [["gridTemplateColumns", "gap"], () => `<div style="display:grid;gap:12px"><slot></slot></div>`],
    "s-heading": [[], () => `<h2><slot></slot></h2>`],
    "s-text": [["tone", "type"], (h) => `<span style="${h.tone === "subdued" ? "color:#616161;" : ""}${h.type === "code" ? "font-family:monospace;background:#f1f1f1;padding:0 4px;border-radius:4px" : ""}"><slot></slot></span>`, { display: "inline-block" }],
    "s-paragraph": [["tone"], () => `<p style="margin:0 0 8px"><slot></slot></p>`],
    "s-divider": [[], () => `<hr>`],
    "s-badge": [["tone"], (h) => `<span class="badge ${escape(h.tone)}"><slot></slot></span>`, { display: "inline-block" }],
    "s-banner": [["tone", "heading"], (h) => `<div class="banner ${escape(h.tone)}" role="${h.tone === "critical" ? "alert" : "status"}">${h.heading ? `<strong>${escape(h.heading)}</strong>` : ""}<slot></slot></div>`],
    "s-spinner": [["accessibilityLabel"], (h) => `<span role="progressbar" aria-label="${escape(h.accessibilityLabel || "Loading")}">…</span>`, { display: "inline-block" }],
    "s-progress-bar": [["progress", "accessibilityLabel"], (h) => `<progress max="1" value="${Number(h.progress) || 0}" aria-label="${escape(h.accessibilityLabel || "Progress")}"></progress>`],
    "s-unordered-list": [[], () => `<ul style="margin:0;padding-left:20px" role="list"><slot></slot></ul>`],
    "s-list-item": [[], () => `<li><slot></slot></li>`],
    "s-link": [["href"], (h) => `<a href="${escape(h.href)}"><slot></slot></a>`, { display: "inline-block" }],
    "s-app-nav": [[], () => ``],
    "s-table": [[], () => `<slot></slot>`, { display: "table", role: "table", style: "width:100%;border-collapse:collapse" }],
    "s-table-header-row": [[], () => `<slot></slot>`, { display: "table-row", role: "row" }],
    "s-table-header": [[], () => `<slot></slot>`, { display: "table-cell", role: "columnheader", style: "font-weight:600;padding:6px 8px;border-bottom:1px solid #e3e3e3" }],
    "s-table-body": [[], () => `<slot></slot>`, { display: "table-row-group", role: "rowgroup" }],
    "s-table-row": [[], () => `<slot></slot>`, { display: "table-row", role: "row" }],
    "s-table-cell": [[], () => `<slot></slot>`, { display: "table-cell", role: "cell", style: "padding:6px 8px;border-bottom:1px solid #e3e3e3;vertical-align:middle" }],
    "s-button": [["variant", "tone", "disabled", "loading", "accessibilityLabel", "type"], (h) => `<button type="${h.type === "submit" ? "submit" : "button"}" class="${escape(h.variant)} ${escape(h.tone)}" ${h.disabled || h.loading ? "disabled" : ""} ${h.accessibilityLabel ? `aria-label="${escape(h.accessibilityLabel)}"` : ""}><slot></slot></button>`, { display: "inline-block" }],
  };

  class Element extends HTMLElement {
    constructor(name, props, render, host) {
      super();
      this._render = render;
      this._values = {};
      this._host = host ?? {};
      this.attachShadow({ mode: "open" });
    }
    connectedCallback() {
      // Not in the constructor: an element made by the parser may not set attributes there.
      const { display, role, style } = this._host;
      if (display) this.style.display = display;
      if (style) this.style.cssText += `;${style}`;
      if (role && !this.hasAttribute("role")) this.setAttribute("role", role);
      this.update();
    }
    attributeChangedCallback() {
      this.update();
    }
    update() {
      const values = {};
      for (const prop of this.constructor.props) {
        values[prop] = this._values[prop] ?? this.getAttribute(prop.toLowerCase()) ?? this.getAttribute(prop);
      }
      this.shadowRoot.innerHTML = `<style>${css}</style>${this._render(values)}`;
      const button = this.shadowRoot.querySelector("button");
      if (button && !this._clicks) {
        this._clicks = true;
        this.addEventListener("click", (event) => {
          if (this.disabled || this.loading) event.stopImmediatePropagation();
        });
      }
    }
  }

  for (const [name, [props, render, host]] of Object.entries(elements)) {
    const element = class extends Element {
      static props = props;
      static observedAttributes = props.map((prop) => prop.toLowerCase());
      constructor() {
        super(name, props, render, host);
      }
    };
    for (const prop of props) {
      Object.defineProperty(element.prototype, prop, {
        get() {
          return this._values[prop];
        },
        set(value) {
          this._values[prop] = value;
          if (this.isConnected) this.update();
        },
      });
    }
    customElements.define(name, element);
  }
})();
