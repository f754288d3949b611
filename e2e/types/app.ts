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
    if (isRenewFetchError(error) && error.kind === "http" && typeof error.body === "string") {
      console.log(error.status, error.body.slice(0, 80));
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

interface User {
  id: number;
  name: string;
}

// Each request method takes the type of its result, so a typed envelope's data is a User without a
// cast.
export async function typedResults(user: User): Promise<string[]> {
  const me = await client.get<Envelope<User>>("/me");
  const names: string[] = [me.data.name];
  const removed = await client.delete<Envelope<User>>(`/users/${user.id}`, { soft: true });
  names.push(removed.data.name);
  const created = await client.post<Envelope<User>>("/users", user);
  const replaced = await client.put<Envelope<User>>(`/users/${user.id}`, user);
  const patched = await client.patch<Envelope<User>>(`/users/${user.id}`, { name: user.name });
  const ids: number[] = [created.data.id, replaced.data.id, patched.data.id];
  const listed = await client.request<Envelope<User[]>>({ url: "/users", params: { page: 1 } });
  names.push(...listed.data.map((listedUser) => listedUser.name));
  names.push(String(ids.length));
  return names;
}

// An endpoint that may send no data names null in the envelope's type.
export async function optionalData(): Promise<string> {
  const session = await client.get<Envelope<User | null>>("/session");
  return session.data === null ? "anonymous" : session.data.name;
}

// A raw responseType resolves to the body, whose type the caller names.
export async function rawResults(): Promise<number> {
  const report: Blob = await client.get<Blob>("/report", undefined, { responseType: "blob" });
  const text = await client.request<string>({ url: "/readme", responseType: "text" });
  const bytes = await client.post<ArrayBuffer>("/export", { all: true }, { responseType: "arrayBuffer" });
  return report.size + text.trim().length + bytes.byteLength;
}

// Without a type argument each method resolves to `any`, so code written before the methods were
// generic still compiles.
export async function untypedResults(): Promise<number> {
  const loose = await client.get("/items");
  const id: number = loose.data.nested.id;
  const posted: string = (await client.post("/items", { name: "pen" })).msg;
  const requested: boolean = (await client.request({ url: "/items" })).anything;
  const chained = client.get("/items").then((envelope) => envelope.data.count);
  return id + posted.length + Number(requested) + (await chained);
}

export async function startWithoutBundler(): Promise<string | undefined> {
  await init();
  const web = new WebClient({ tokenStorage: "memory" });
  web.setToken("header.payload.signature");
  const me = await web.get<Envelope<User>>("/me");
  console.log(me.data.name);
  const token = web.getToken();
  web.free();
  return token;
}

export function scoped(): number {
  using temporary = new HttpClient({ tokenStorage: "memory" });
  return temporary.pendingCount;
}
