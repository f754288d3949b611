// An app's use of the package's types, which the types test compiles with tsc under strict
// settings. It is only type-checked, never run.

import { HttpClient, isRenewFetchError, type Envelope, type RenewFetchError } from "renew-fetch";
import init, { HttpClient as WebClient } from "renew-fetch/web";

interface Item {
  id: number;
  name: string;
}

const client = new HttpClient({
  baseUrl: "http://127.0.0.1:8080/api",
  timeoutMs: 10_000,
  duplicates: "share",
  codes: { success: 200, overdue: 401, loginRequired: [1006, 1007] },
  onLoadingChange: (active: boolean) => console.log(active),
  onError: (error: RenewFetchError) => console.log(error.kind, error.status, error.code),
});

export async function loadItems(): Promise<Item[]> {
  try {
    const envelope: Envelope<Item[]> = await client.get("/items", new URLSearchParams({ page: "1" }));
    return envelope.data ?? [];
  } catch (error) {
    if (isRenewFetchError(error) && error.kind === "login_required") {
      client.clearToken();
    }
    throw error;
  }
}

// Params typed by an interface, which has no index signature.
interface ItemQuery {
  page: number;
  tags?: string[];
}

export async function search(query: ItemQuery): Promise<unknown> {
  await client.delete("/items", query);
  await client.request({ url: "/items", params: query });
  const envelope: Envelope = await client.get("/items", query, { noLoading: true });
  return envelope.data;
}

export async function rename(id: number, name: string): Promise<void> {
  const controller = new AbortController();
  await client.post(`/items/${id}`, { name }, { signal: controller.signal, headers: { "X-Trace": "1" } });
  await client.request({ method: "PATCH", url: `/items/${id}`, body: { name }, responseType: "text" });
}

export async function loadByUrl(page: number): Promise<unknown> {
  const url = new URL("http://127.0.0.1:8080/api/items");
  url.searchParams.set("page", String(page));
  await client.request({ url, responseType: "text" });
  const envelope: Envelope = await client.get(url);
  return envelope.data;
}

export async function startWithoutBundler(): Promise<string | undefined> {
  await init();
  const web = new WebClient({ tokenStorage: "memory" });
  web.setToken("header.payload.signature");
  const token = web.getToken();
  web.free();
  return token;
}

export function scoped(): number {
  using temporary = new HttpClient({ tokenStorage: "memory" });
  return temporary.pendingCount;
}
