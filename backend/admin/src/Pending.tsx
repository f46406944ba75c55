// What a section shows while its data loads, or when it could not be loaded.
import type { Loaded } from "./hooks";

export function Pending<T>(props: { loaded: Loaded<T>; what: string }) {
  if (props.loaded.state === "loading") return <s-spinner accessibilityLabel={`Loading ${props.what}`} />;
  if (props.loaded.state === "failed") {
    return (
      <s-banner tone="critical" heading={`${props.what[0].toUpperCase()}${props.what.slice(1)} could not be loaded`}>
        <s-paragraph>{props.loaded.error}</s-paragraph>
      </s-banner>
    );
  }
  return null;
}
