/** Hash routes: they work offline from the precached shell with no server round trip. */

export type Route =
  | { name: "list" }
  | { name: "visit"; id: string; section: string; focus: string | null }
  | { name: "leave"; id: string }
  | { name: "attention" }
  | { name: "about" }
  // The supervisor's workspace (online only).
  | { name: "sup-visits"; query: string }
  | { name: "sup-visit"; id: string }
  | { name: "sup-figures" }
  | { name: "sup-export" }
  | { name: "sup-queue" }
  | { name: "sup-overdue" }
  // The administrator's and the auditor's workspaces (online only): the rest of the path is theirs.
  | { name: "admin"; path: string[] }
  | { name: "audit"; path: string[] };

export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  const focus = new URLSearchParams(query).get("focus");
  if (parts[0] === "visit" && parts[1]) {
    if (parts[2] === "leave-behind") return { name: "leave", id: parts[1] };
    return { name: "visit", id: parts[1], section: parts[2] ?? "reference", focus };
  }
  if (parts[0] === "attention") return { name: "attention" };
  if (parts[0] === "about") return { name: "about" };
  if (parts[0] === "visits") return parts[1] ? { name: "sup-visit", id: parts[1] } : { name: "sup-visits", query };
  if (parts[0] === "figures") return { name: "sup-figures" };
  if (parts[0] === "export") return { name: "sup-export" };
  if (parts[0] === "queue") return { name: "sup-queue" };
  if (parts[0] === "overdue") return { name: "sup-overdue" };
  if (parts[0] === "admin") return { name: "admin", path: parts.slice(1) };
  if (parts[0] === "audit") return { name: "audit", path: parts.slice(1) };
  return { name: "list" };
}

export function visitHref(id: string, section = "reference", focus?: string): string {
  return `#/visit/${id}/${section}${focus ? `?focus=${encodeURIComponent(focus)}` : ""}`;
}
