// The embedded admin: the app's menu in Shopify's navigation, and one page per path.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { navigate } from "./navigation";
import { Billing } from "./pages/Billing";
import { Connect } from "./pages/Connect";
import { Discounts } from "./pages/Discounts";
import { Home } from "./pages/Home";
import { Pixel } from "./pages/Pixel";
import { SegmentBuilder } from "./pages/SegmentBuilder";
import { SegmentDetail } from "./pages/SegmentDetail";
import { Segments } from "./pages/Segments";
import { Settings } from "./pages/Settings";

const PAGES: Record<string, { title: string; render: () => preact.JSX.Element }> = {
  "/": { title: "Home", render: () => <Home /> },
  "/segments": { title: "Segments", render: () => <Segments /> },
  "/segments/new": { title: "New segment", render: () => <SegmentBuilder /> },
  "/discounts": { title: "Discounts", render: () => <Discounts /> },
  "/pixel": { title: "Pixel", render: () => <Pixel /> },
  "/settings": { title: "Settings", render: () => <Settings /> },
  "/billing": { title: "Billing", render: () => <Billing /> },
  "/connect": { title: "Join a workspace", render: () => <Connect /> },
};

function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const follow = () => setPath(location.pathname);
    addEventListener("popstate", follow);
    return () => removeEventListener("popstate", follow);
  }, []);
  const segment = /^\/segments\/([a-z0-9-]+)(\/edit)?$/.exec(path);
  const page =
    PAGES[path] ??
    (segment
      ? segment[2]
        ? { title: "Edit segment", render: () => <SegmentBuilder slug={segment[1]} /> }
        : { title: "Segment", render: () => <SegmentDetail slug={segment[1]} /> }
      : PAGES["/"]);
  return (
    <>
      <s-app-nav>
        <s-link href="/" rel="home">
          Home
        </s-link>
        <s-link href="/segments">Segments</s-link>
        <s-link href="/discounts">Discounts</s-link>
        <s-link href="/pixel">Pixel</s-link>
        <s-link href="/settings">Settings</s-link>
        <s-link href="/billing">Billing</s-link>
      </s-app-nav>
      {page.render()}
    </>
  );
}

// A link to one of the app's own pages moves within the document: loading the path afresh would
// arrive without the launch query Shopify's admin adds.
addEventListener("click", (event) => {
  const link = (event.composedPath() as Element[]).find((node) => node instanceof HTMLElement && node.matches("s-link[href], a[href]"));
  const href = link?.getAttribute("href");
  const target = href?.split(/[?#]/)[0] ?? "";
  if (href?.startsWith("/") && !event.defaultPrevented && (PAGES[target] || /^\/segments\/[a-z0-9-]+(\/edit)?$/.test(target))) {
    event.preventDefault();
    navigate(href);
  }
});

const root = document.getElementById("app");
if (root) render(<App />, root);
