// An app's use of the package's types, which the types test compiles with tsc under strict
// settings. It is only type-checked, never run.

import {
  HttpClient,
  isRenewFetchError,
  type CancelReason,
  type Envelope,
  type FullResponse,
  type JsonRequestOptions,
  type RenewFetchError,
  type RequestOptions,
  type ResponseType,
} from "renew-fetch";
import init, { HttpClient as WebClient } from "renew-fetch/web";

interface Item {
  id: number;
  name: string;
}

const client = new HttpClient({
  baseUrl: "http://127.0.0.1:8080/api",
  timeoutMs: 10_000,
  duplicates: "share",
  allowedOrigins: ["http://127.0.0.1:8080", new URL("http://127.0.0.1:8081")],
  codes: { success: 200, overdue: 401, loginRequired: [1006, 1007] },
  onLoadingChange: (active: boolean) => console.log(active),
  onError: (error: RenewFetchError) => console.log(error.kind, error.status, error.code, error.cause),
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

// A login goes without the stored token and stores the one it gets.
export async function login(user: string, password: string): Promise<void> {
  const reply = await client.post<{ token: string }>("/login", { user, password }, { noToken: true });
  client.setToken(reply.data.token);
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

// True when A and B are the same type. Unlike an assignment, it distinguishes `any` from every
// other type, so a result that widens to `any` fails the checks below.
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

// Each request method takes the type of the envelope's data, so a typed envelope's data is a User
// without a cast.
export async function typedResults(user: User): Promise<string[]> {
  const me = await client.get<User>("/me");
  const names: string[] = [me.data.name];
  const removed = await client.delete<User>(`/users/${user.id}`, { soft: true });
  names.push(removed.data.name);
  const created = await client.post<User>("/users", user);
  const replaced = await client.put<User>(`/users/${user.id}`, user);
  const patched = await client.patch<User>(`/users/${user.id}`, { name: user.name });
  const ids: number[] = [created.data.id, replaced.data.id, patched.data.id];
  const listed = await client.request<User[]>({ url: "/users", params: { page: 1 } });
  names.push(...listed.data.map((listedUser) => listedUser.name));
  const explicitJson = await client.get<User>("/me", undefined, { responseType: "json" });
  names.push(explicitJson.data.name);
  names.push(String(ids.length));
  const typed: Equal<typeof me, Envelope<User>> = true;
  const typedRequest: Equal<typeof listed, Envelope<User[]>> = true;
  console.log(typed, typedRequest);
  return names;
}

// An endpoint that may send no data names null in the data's type.
export async function optionalData(): Promise<string> {
  const session = await client.get<User | null>("/session");
  return session.data === null ? "anonymous" : session.data.name;
}

// A literal raw responseType resolves to the body, with no type argument.
export async function rawResults(): Promise<number> {
  const report = await client.get("/report", undefined, { responseType: "blob" });
  const text = await client.request({ url: "/readme", responseType: "text" });
  const bytes = await client.post("/export", { all: true }, { responseType: "arrayBuffer" });
  const removed = await client.delete("/report", undefined, { responseType: "text" });
  const replaced = await client.put("/report", "new", { responseType: "blob" });
  const patched = await client.patch("/report", "new", { responseType: "arrayBuffer" });
  const checks: [
    Equal<typeof report, Blob>,
    Equal<typeof text, string>,
    Equal<typeof bytes, ArrayBuffer>,
    Equal<typeof removed, string>,
    Equal<typeof replaced, Blob>,
    Equal<typeof patched, ArrayBuffer>,
  ] = [true, true, true, true, true, true];
  console.log(checks);
  const rawSizes = [report.size, text.length, bytes.byteLength, removed.length, replaced.size, patched.byteLength];
  return rawSizes.reduce((sum, size) => sum + size, 0);
}

// A type argument that names the raw body, as axios's get<Blob>() does, still compiles.
export async function namedRawResults(): Promise<number> {
  const report = await client.get<Blob>("/report", undefined, { responseType: "blob" });
  const text = await client.request<string>({ url: "/readme", responseType: "text" });
  const bytes = await client.post<ArrayBuffer>("/export", { all: true }, { responseType: "arrayBuffer" });
  return report.size + text.trim().length + bytes.byteLength;
}

// Options whose responseType is not a literal, such as a RequestOptions that a wrapper passes on,
// resolve to the union of the envelope and the raw bodies, which the caller narrows.
export async function forwardedOptions(
  options: RequestOptions,
  responseType: ResponseType,
): Promise<unknown> {
  const forwarded = await client.get<User>("/me", undefined, options);
  const configured = await client.request({ url: "/me", responseType });
  type Result<T> = Envelope<T> | string | Blob | ArrayBuffer;
  const union: Equal<typeof forwarded, Result<User> | FullResponse<Result<User>>> = true;
  const unionWithoutType: Equal<typeof configured, Result<unknown> | FullResponse<Result<unknown>>> = true;
  console.log(union, unionWithoutType);
  if (typeof forwarded === "string" || forwarded instanceof Blob || forwarded instanceof ArrayBuffer) {
    return forwarded;
  }
  if ("status" in forwarded) {
    return forwarded.status;
  }
  return forwarded.data.name;
}

// fullResponse gives the status and the headers beside what the call resolves to.
export async function fullResults(): Promise<number> {
  const page = await client.get<Item[]>("/items", { page: 2 }, { fullResponse: true });
  const file = await client.get("/report", undefined, { responseType: "blob", fullResponse: true });
  const created = await client.request<Item>({ url: "/items", method: "POST", body: {}, fullResponse: true });
  const checks: [
    Equal<typeof page, FullResponse<Envelope<Item[]>>>,
    Equal<typeof file, FullResponse<Blob>>,
    Equal<typeof created, FullResponse<Envelope<Item>>>,
  ] = [true, true, true];
  const total = Number(page.headers.get("X-Total-Count"));
  const replays: number = page.replays;
  const renewed: boolean = page.renewed;
  console.log(replays, renewed);
  const link = URL.createObjectURL(file.data);
  console.log(checks, file.status, file.headers.get("Content-Disposition"), link);
  return total + page.data.data.length + created.data.data.id;
}

// Without a type argument the envelope's data is `unknown`, so the app narrows it before use.
export async function untypedResults(): Promise<number> {
  const loose = await client.get("/items");
  const looseType: Equal<typeof loose, Envelope<unknown>> = true;
  const posted: string = (await client.post("/items", { name: "pen" })).msg;
  const requested = await client.request({ url: "/items" });
  const chained = client.get("/items").then((envelope) => envelope.code);
  const count = typeof loose.data === "number" ? loose.data : 0;
  console.log(looseType, requested.code);
  return count + posted.length + (await chained);
}

export async function startWithoutBundler(): Promise<string | undefined> {
  await init();
  const web = new WebClient({ tokenStorage: "memory" });
  web.setToken("header.payload.signature");
  const me = await web.get<User>("/me");
  console.log(me.data.name);
  const token = web.getToken();
  web.free();
  return token;
}

export function switchLanguage(language: string): void {
  client.setHeader("Accept-Language", language);
  client.setHeader("X-Tenant", null);
}

export function scoped(): number {
  using temporary = new HttpClient({ tokenStorage: "memory" });
  return temporary.pendingCount;
}

// Checking kind narrows the error's fields.
export function describeError(error: unknown): string {
  if (!isRenewFetchError(error)) return String(error);
  if (error.kind === "business") {
    const code: number = error.code;
    const status: number = error.status;
    return `${code} ${status}`;
  }
  if (error.kind === "canceled") {
    const reason: CancelReason = error.reason;
    return reason;
  }
  return error.kind;
}

// A wrapper that takes its caller's options keeps the envelope with JsonRequestOptions.
export async function getData<T>(url: string, options?: JsonRequestOptions): Promise<T> {
  return (await client.get<T>(url, undefined, { ...options, noErrorCallback: true })).data;
}
