// Keeping a suggested segment: saving it as it stands makes it the merchant's, and pushes it.
import { api } from "./api";
import type { SegmentView } from "./generated/api";

export async function keep(segment: SegmentView): Promise<SegmentView> {
  const kept = await api<SegmentView>(`/api/segments/${segment.slug}`, {
    method: "PUT",
    body: { name: segment.name, rules: segment.rules, native: segment.native?.enabled ?? false },
  });
  shopify.toast.show(`Kept “${kept.name}”: its tags are on their way to Shopify`);
  return kept;
}
