// scripts/build-pkg.sh appends this block to the module of each build that defines the
// HttpClient class. After free(), wasm-bindgen's glue makes every member of a client, and a
// second free(), throw "null pointer passed to rust". This block wraps the members of
// HttpClient.prototype so that a freed client throws a TypeError that names the member instead,
// and so that free() and [Symbol.dispose]() do nothing the second time. It also makes
// `new HttpClient()` before the web build's init() throw an error that names the fix, and keeps a
// client whole when it is used through a Proxy. It uses no part of the glue but the class, its
// free() method, the `__wbg_ptr` field of each client and the module variable `wasm`, which the
// glue sets when the .wasm module is instantiated.
{
  const prototype = HttpClient.prototype;
  const free = prototype.free;
  // The key of a function that returns the client itself. A Proxy of a client, such as the
  // reactive proxy that Vue makes of an object, runs each member with `this` set to the proxy.
  // The glue's free() would then try to remove the proxy from its FinalizationRegistry, where
  // only the client is registered. So the registry would free the memory a second time once the
  // client is collected, and a newer client that took that memory would break or share another
  // client's token. Every member therefore runs on the client that the function returns. A
  // proxy's get passes a function on as it is, where Vue wraps an object.
  const clientKey = Symbol("HttpClient");
  const unwrap = (client) =>
    typeof client?.[clientKey] === "function" ? client[clientKey]() : client;
  // The methods that return a promise. Like an invalid argument, a freed client rejects their
  // promise instead of throwing.
  const calls = ["get", "delete", "post", "put", "patch", "request"];
  // The clients whose free() has run.
  const freed = new WeakSet();

  // A callback that a member runs before it returns, such as onError for a URL that is not a
  // string, may call free(). The glue's free() would throw there, because the member still
  // borrows the client, so the release waits for a microtask, which runs after the member.
  const guardedFree = function () {
    const client = unwrap(this);
    if (!freed.has(client)) {
      freed.add(client);
      queueMicrotask(() => free.call(client));
    }
  };

  const guard = (member, key, action) =>
    function (...args) {
      const client = unwrap(this);
      if (freed.has(client)) {
        const error = new TypeError(`HttpClient.${action} after free(); create a new HttpClient`);
        if (calls.includes(key)) return Promise.reject(error);
        throw error;
      }
      return member.apply(client, args);
    };

  for (const key of Reflect.ownKeys(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    const { value, get } = descriptor;
    if (value === free || key === Symbol.dispose) {
      descriptor.value = guardedFree;
    } else if (typeof key !== "string" || key === "constructor" || key.startsWith("__")) {
      // The constructor and the glue's own helpers, such as __destroy_into_raw, stay as they are.
      continue;
    } else if (typeof value === "function") {
      descriptor.value = guard(value, key, `${key}() was called`);
    } else if (get) {
      descriptor.get = guard(get, key, `${key} was read`);
    }
    Object.defineProperty(prototype, key, descriptor);
  }

  // Before init() or initSync() has run, `wasm` is undefined, and the glue's constructor would
  // throw "Cannot read properties of undefined (reading 'httpclient_new')". The exported binding
  // becomes a subclass that checks first, so instances still pass `instanceof HttpClient`.
  const Base = HttpClient;
  HttpClient = class HttpClient extends Base {
    constructor(options) {
      if (wasm === undefined) {
        throw new Error(
          "renew-fetch is not initialised; await init(), the default export of renew-fetch/web, " +
            "before new HttpClient(), or in Node call initSync({ module }) with the bytes of renew_fetch_bg.wasm",
        );
      }
      super(options);
      const client = this;
      Object.defineProperty(this, clientKey, { value: () => client });
      // Object.assign, spread and for...in copy only enumerable fields, so none of them can copy
      // the glue's pointer into another object, which would then share this client's memory.
      Object.defineProperty(this, "__wbg_ptr", { enumerable: false });
    }
  };

  // Vue wraps an object in a reactive proxy, and Pinia's $patch merges a new object into the old
  // one field by field, when Object.prototype.toString gives the object the tag "Object". A
  // client with a tag of its own stays as it is in both.
  Object.defineProperty(prototype, Symbol.toStringTag, { value: "HttpClient", configurable: true });
}
