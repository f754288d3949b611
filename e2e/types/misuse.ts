// Calls that the package's types must reject. The types test expects tsc to report an error on
// each line that ends with "// error".

import { HttpClient } from "renew-fetch";

const client = new HttpClient({ timeoutMs: "5000" }); // error
client.get("/items", undefined, { duplicates: "cancel" }); // error
client.setToken(42); // error
new HttpClient({ tokenStorage: "cookie" }); // error
client.get({ href: "/items" }); // error
client.get("/items", "page=1"); // error
