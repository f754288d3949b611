// Calls that the package's types must reject. The types test expects tsc to report an error on
// each line that ends with "// error".

import { HttpClient, type Envelope } from "renew-fetch";
import { HttpClient as WebClient } from "renew-fetch/web";

const client = new HttpClient({ timeoutMs: "5000" }); // error
client.get("/items", undefined, { duplicates: "cancel" }); // error
client.setToken(42); // error
new HttpClient({ tokenStorage: "cookie" }); // error
client.get({ href: "/items" }); // error
client.get("/items", "page=1"); // error

interface User {
  id: number;
  name: string;
}

// A type argument sets the type of the result, so tsc rejects a wrong use of it. Each marked line
// has no type argument of its own, so only the misuse can fail it.
export async function misuseTypedResults(): Promise<void> {
  const me = await client.get<Envelope<User>>("/me");
  console.log(me.data.nonexistent); // error
  const created = await client.post<Envelope<User>>("/users", { name: "Ada" });
  const id: string = created.data.id; // error
  const listed = await client.request<Envelope<User[]>>({ url: "/users" });
  listed.data.push("Ada"); // error
  const report = await client.get<Blob>("/report", undefined, { responseType: "blob" });
  report.toUpperCase(); // error
  const removed = await new WebClient().delete<Envelope<User>>("/users/1");
  console.log(removed.data.nonexistent, id); // error
}
