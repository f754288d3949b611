// Calls that the package's types must reject. The types test expects tsc to report an error on
// each line that ends with "// error".

import { HttpClient, isRenewFetchError, type CancelReason, type RequestOptions } from "renew-fetch";
import { HttpClient as WebClient } from "renew-fetch/web";

const client = new HttpClient({ timeoutMs: "5000" }); // error
client.get("/items", undefined, { duplicates: "cancel" }); // error
client.setToken(42); // error
client.post("/login", { user: "ada" }, { noToken: "yes" }); // error
new HttpClient({ tokenStorage: "cookie" }); // error
client.get({ href: "/items" }); // error
client.get("/items", "page=1"); // error
// axios habits that put request options in the query, which the call rejects at run time.
client.get("/items", { params: { page: 2 } }); // error
client.get("/items", { headers: { "X-Trace": "1" }, page: 2 }); // error
client.delete("/items/1", { signal: new AbortController().signal }); // error

interface User {
  id: number;
  name: string;
}

// A type argument sets the type of the envelope's data, so tsc rejects a wrong use of it. Each
// marked line has no type argument of its own, so only the misuse can fail it.
export async function misuseTypedResults(): Promise<void> {
  const me = await client.get<User>("/me");
  console.log(me.data.nonexistent); // error
  const created = await client.post<User>("/users", { name: "Ada" });
  const id: string = created.data.id; // error
  const listed = await client.request<User[]>({ url: "/users" });
  listed.data.push("Ada"); // error
  const report = await client.get<Blob>("/report", undefined, { responseType: "blob" });
  report.toUpperCase(); // error
  const removed = await new WebClient().delete<User>("/users/1");
  console.log(removed.data.nonexistent, id); // error
}

// axios habits that fail at run time: the result is the envelope, not its data.
export async function misuseAxiosHabits(): Promise<void> {
  const name: string = (await client.get<User>("/me")).name; // error
  const user: User = await client.request<User>({ url: "/me" }); // error
  const unchecked = await client.get("/me");
  console.log(unchecked.dta, name, user); // error
  console.log(unchecked.data.nmae); // error
  const report: Blob = await client.get<Blob>("/report"); // error
  const page: string = await client.get<string>("/page", undefined, { responseType: "json" }); // error
  console.log(report, page);
}

// A literal raw responseType sets the type of the body, and a type argument must name it.
export async function misuseRawResults(): Promise<void> {
  const text = await client.get("/readme", undefined, { responseType: "text" });
  console.log(text.size); // error
  const blob = await client.post("/export", {}, { responseType: "blob" });
  console.log(blob.byteLength); // error
  const bytes = await client.request({ url: "/export", responseType: "arrayBuffer" });
  console.log(bytes.data); // error
  const named: User = await client.get<User>("/me", undefined, { responseType: "blob" }); // error
  console.log(named);
}

// With fullResponse, data is the envelope, not the envelope's data.
export async function misuseFullResponse(): Promise<void> {
  const full = await client.get<User>("/me", undefined, { fullResponse: true });
  console.log(full.data.name); // error
  const flagged = await client.get<User>("/me", undefined, { fullResponse: "yes" }); // error
  console.log(flagged);
}

// Options whose responseType is not a literal give a union that the app has to narrow.
export async function misuseForwardedOptions(options: RequestOptions): Promise<void> {
  const result = await client.get<User>("/me", undefined, options);
  console.log(result.data); // error
}

// Only the kinds that always carry a field narrow it.
export function misuseErrorFields(error: unknown): void {
  if (!isRenewFetchError(error)) return;
  const anyCode: number = error.code; // error
  if (error.kind === "http") {
    const code: number = error.code; // error
    console.log(anyCode, code);
  }
  if (error.kind === "timeout") {
    const reason: CancelReason = error.reason; // error
    console.log(reason);
  }
  if (error.kind === "canceled") {
    const status: number = error.status; // error
    console.log(status);
  }
}
