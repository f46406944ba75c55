// What Seglink uses of App Bridge (the global `shopify`, loaded from Shopify's CDN) and of the
// Polaris web components, typed loosely: the CDN scripts are the source of truth.

interface ResourceSelection {
  id: string;
  title?: string;
  /// A product's variants, with their prices as decimal strings.
  variants?: { id: string; title?: string; price?: string }[];
}

interface ShopifyGlobal {
  idToken(): Promise<string>;
  toast: { show(message: string, options?: { isError?: boolean; duration?: number; action?: string; onAction?: () => void }): void };
  resourcePicker(options: {
    type: "product" | "collection" | "variant";
    multiple?: boolean;
    selectionIds?: { id: string }[];
  }): Promise<ResourceSelection[] | undefined>;
  saveBar: { show(id: string): Promise<void>; hide(id: string): Promise<void> };
  scopes: { request(scopes: string[]): Promise<{ result: string }> };
  config: { shop: string; apiKey: string; locale?: string };
}

declare const shopify: ShopifyGlobal;

type PolarisProps = Record<string, unknown> & {
  children?: preact.ComponentChildren;
  class?: string;
  id?: string;
  slot?: string;
};

declare namespace preact.JSX {
  interface IntrinsicElements {
    "s-app-nav": PolarisProps;
    "s-page": PolarisProps;
    "s-section": PolarisProps;
    "s-stack": PolarisProps;
    "s-grid": PolarisProps;
    "s-box": PolarisProps;
    "s-heading": PolarisProps;
    "s-text": PolarisProps;
    "s-paragraph": PolarisProps;
    "s-button": PolarisProps;
    "s-link": PolarisProps;
    "s-badge": PolarisProps;
    "s-banner": PolarisProps;
    "s-spinner": PolarisProps;
    "s-text-field": PolarisProps;
    "s-number-field": PolarisProps;
    "s-password-field": PolarisProps;
    "s-select": PolarisProps;
    "s-option": PolarisProps;
    "s-checkbox": PolarisProps;
    "s-switch": PolarisProps;
    "s-table": PolarisProps;
    "s-table-header-row": PolarisProps;
    "s-table-header": PolarisProps;
    "s-table-body": PolarisProps;
    "s-table-row": PolarisProps;
    "s-table-cell": PolarisProps;
    "s-divider": PolarisProps;
    "s-progress": PolarisProps;
    "s-unordered-list": PolarisProps;
    "s-list-item": PolarisProps;
    // App Bridge's save bar: its buttons show in the admin's top bar while it is shown.
    "ui-save-bar": PolarisProps;
  }
  interface ButtonHTMLAttributes {
    variant?: "primary";
  }
}
