// The embedded admin: the app's menu in Shopify's navigation, and one page per path.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Discounts } from "./pages/Discounts";
import { Home } from "./pages/Home";
import { SegmentBuilder } from "./pages/SegmentBuilder";
import { Segments } from "./pages/Segments";
import { Settings } from "./pages/Settings";

const PAGES: Record<string, { title: string; render: () => preact.JSX.Element }> = {
  "/": { title: "Home", render: () => <Home /> },
  "/segments": { title: "Segments", render: () => <Segments /> },
  "/segments/new": { title: "New segment", render: () => <SegmentBuilder /> },
  "/discounts": { title: "Discounts", render: () => <Discounts /> },
  "/settings": { title: "Settings", render: () => <Settings /> },
};

function App() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const follow = () => setPath(location.pathname);
    addEventListener("popstate", follow);
    return () => removeEventListener("popstate", follow);
  }, []);
  const page = PAGES[path] ?? PAGES["/"];
  return (
    <>
      <s-app-nav>
        <s-link href="/" rel="home">
          Home
        </s-link>
        <s-link href="/segments">Segments</s-link>
        <s-link href="/discounts">Discounts</s-link>
        <s-link href="/settings">Settings</s-link>
      </s-app-nav>
      {page.render()}
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
