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
    "s-box": [["padding", "border", "borderRadius"], (h) => `<div style="${h.padding ? "padding:12px;" : ""}${h.border ? "border:1px solid #d4d4d4;" : ""}${h.borderRadius ? "border-radius:8px" : ""}"><slot></slot></div>`],
    "s-stack": [["direction", "gap"], (h) => `<div style="display:flex;flex-direction:${h.direction === "inline" ? "row" : "column"};gap:${h.direction === "inline" ? "8px" : "12px"};flex-wrap:wrap;align-items:${h.direction === "inline" ? "center" : "stretch"}"><slot></slot></div>`],
    "s-grid": [["gridTemplateColumns", "gap"], () => `<div style="display:grid;gap:12px"><slot></slot></div>`],
    "s-heading": [[], () => `<h2><slot></slot></h2>`],
    "s-text": [["tone", "type"], (h) => `<span style="${h.tone === "subdued" ? "color:#616161;" : ""}${h.type === "code" ? "font-family:monospace;background:#f1f1f1;padding:0 4px;border-radius:4px" : ""}"><slot></slot></span>`, { display: "inline-block" }],
    "s-paragraph": [["tone"], () => `<p style="margin:0 0 8px"><slot></slot></p>`],
    "s-divider": [[], () => `<hr>`],
    "s-badge": [["tone"], (h) => `<span class="badge ${escape(h.tone)}"><slot></slot></span>`, { display: "inline-block" }],
    "s-banner": [["tone", "heading"], (h) => `<div class="banner ${escape(h.tone)}" role="${h.tone === "critical" ? "alert" : "status"}">${h.heading ? `<strong>${escape(h.heading)}</strong>` : ""}<slot></slot></div>`],
    "s-spinner": [["accessibilityLabel"], (h) => `<span role="progressbar" aria-label="${escape(h.accessibilityLabel || "Loading")}">…</span>`, { display: "inline-block" }],
    // Polaris 1.1's progress indicator: `value` of `max` (1 when unset).
    "s-progress": [["value", "max", "accessibilityLabel"], (h) => `<progress max="${Number(h.max) || 1}" value="${Number(h.value) || 0}" aria-label="${escape(h.accessibilityLabel || "Progress")}"></progress>`],
    // Roles on the hosts: a <li> in one shadow root is no child of a <ul> in another.
    "s-unordered-list": [[], () => `<slot></slot>`, { role: "list", style: "padding-left:20px" }],
    "s-list-item": [[], () => `<slot></slot>`, { role: "listitem", display: "list-item" }],
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

// Form controls render their native control once and then update it in place, so typing keeps
// focus: `value` follows the control, and `input`/`change` reach the host (they are composed).
(() => {
  const css = `
    :host { display: block; font: 14px/1.45 system-ui, sans-serif; color: #303030; margin-bottom: 8px }
    label { display: block; font-weight: 500; margin-bottom: 4px }
    input, select { font: inherit; padding: 6px 8px; border: 1px solid #8a8a8a; border-radius: 8px; width: 100%; box-sizing: border-box; background: #fff }
    input[aria-invalid="true"], select[aria-invalid="true"] { border-color: #8e1f0b }
    .error { color: #8e1f0b; margin-top: 4px } .details { color: #616161; margin-top: 4px }
  `;
  let next = 0;
  const escape = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  /// A control's host: its values, a unique id for its label, and its shadow root.
  class Control extends HTMLElement {
    constructor() {
      super();
      this._values = {};
      this._id = `field-${++next}`;
      this.attachShadow({ mode: "open" });
    }
  }

  /// Properties the app sets, kept and shown at once; `live` is read from the native control.
  function defineProps(element, props, live) {
    for (const prop of props) {
      Object.defineProperty(element.prototype, prop, {
        get() {
          return prop === live && this._control ? this._control[live] : this._values[prop];
        },
        set(value) {
          this._values[prop] = value;
          this.refresh();
        },
      });
    }
  }

  class Field extends Control {
    static props = ["label", "value", "error", "details", "name", "placeholder", "disabled", "min", "max", "step", "required"];
    connectedCallback() {
      if (!this._control) this.build();
      this.refresh();
    }
    attributeChangedCallback() {
      this.refresh();
    }
    build() {
      this.shadowRoot.innerHTML = `<style>${css}</style><label for="${this._id}"></label>${this.controlHtml()}<div class="error" id="${this._id}-error" role="alert"></div><div class="details" id="${this._id}-details"></div>`;
      this._control = this.shadowRoot.getElementById(this._id);
      this._control.addEventListener("input", () => {
        this._values.value = this._control.value;
      });
      // `change` is not composed: it stops at the shadow root, so the host fires its own.
      this._control.addEventListener("change", () => {
        this._values.value = this._control.value;
        this.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    refresh() {
      if (!this._control) return;
      const get = (prop) => this._values[prop] ?? this.getAttribute(prop);
      this.shadowRoot.querySelector("label").textContent = get("label") ?? "";
      const error = get("error");
      this.shadowRoot.getElementById(`${this._id}-error`).textContent = error ?? "";
      this.shadowRoot.getElementById(`${this._id}-details`).textContent = get("details") ?? "";
      this._control.setAttribute("aria-invalid", error ? "true" : "false");
      if (error) this._control.setAttribute("aria-describedby", `${this._id}-error`);
      else this._control.removeAttribute("aria-describedby");
      for (const attribute of ["placeholder", "min", "max", "step", "name"]) {
        const value = get(attribute);
        if (value === null || value === undefined) this._control.removeAttribute(attribute);
        else this._control.setAttribute(attribute, value);
      }
      this._control.disabled = Boolean(get("disabled"));
      const value = get("value") ?? "";
      if (this._control.value !== String(value)) this._control.value = value;
    }
  }
  defineProps(Field, Field.props, "value");

  class TextField extends Field {
    static observedAttributes = Field.props;
    controlHtml() {
      return `<input id="${this._id}" type="text">`;
    }
  }
  class PasswordField extends Field {
    static observedAttributes = Field.props;
    controlHtml() {
      return `<input id="${this._id}" type="password" autocomplete="off">`;
    }
  }
  class NumberField extends Field {
    static observedAttributes = Field.props;
    controlHtml() {
      return `<input id="${this._id}" type="number" inputmode="decimal">`;
    }
  }
  class Select extends Field {
    static observedAttributes = Field.props;
    controlHtml() {
      return `<select id="${this._id}"></select>`;
    }
    connectedCallback() {
      super.connectedCallback();
      if (!this._observer) {
        // The options are the app's children (s-option): the native select follows them.
        this._observer = new MutationObserver(() => this.options());
        this._observer.observe(this, { childList: true, subtree: true, characterData: true, attributes: true });
      }
      this.options();
    }
    options() {
      if (!this._control) return;
      const options = [...this.querySelectorAll("s-option")];
      this._control.innerHTML = options
        .map((option) => `<option value="${escape(option.value ?? option.getAttribute("value"))}">${escape(option.textContent)}</option>`)
        .join("");
      this.refresh();
    }
  }
  class Option extends HTMLElement {
    connectedCallback() {
      this.style.display = "none";
    }
  }
  Object.defineProperty(Option.prototype, "value", {
    get() {
      return this._value ?? this.getAttribute("value");
    },
    set(value) {
      this._value = value;
      this.setAttribute("value", value);
    },
  });
  class Checkbox extends Control {
    static observedAttributes = ["label", "checked", "disabled"];
    connectedCallback() {
      if (!this._control) {
        this.shadowRoot.innerHTML = `<style>${css} label{display:inline;font-weight:400;margin-left:6px} input{width:auto}</style><input type="checkbox" id="${this._id}"><label for="${this._id}"></label>`;
        this._control = this.shadowRoot.querySelector("input");
        this._control.addEventListener("change", () => {
          this._values.checked = this._control.checked;
          this.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }
      this.refresh();
    }
    attributeChangedCallback() {
      this.refresh();
    }
    refresh() {
      if (!this._control) return;
      this.shadowRoot.querySelector("label").textContent = this._values.label ?? this.getAttribute("label") ?? "";
      const checked = this._values.checked ?? this.hasAttribute("checked");
      this._control.checked = Boolean(checked);
      this._control.disabled = Boolean(this._values.disabled ?? this.hasAttribute("disabled"));
    }
  }
  defineProps(Checkbox, Checkbox.observedAttributes, "checked");
  customElements.define("s-checkbox", Checkbox);
  customElements.define("s-text-field", TextField);
  customElements.define("s-number-field", NumberField);
  customElements.define("s-password-field", PasswordField);
  customElements.define("s-select", Select);
  customElements.define("s-option", Option);
})();
