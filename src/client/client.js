// The JavaScript half of the client, shipped beside the .wasm. Each section names the Rust module
// that imports it. The sections share one file because at gzip -9 that is 344 B smaller than one
// file for each.

// The abort controller of one call. Imported by abort.rs.

export class CallAbort {
  constructor(source, timeoutMs) {
    this.controller = new AbortController();
    this.cause = undefined;
    if (source) {
      this.source = source;
      this.onSourceAbort = () => this.abort("user");
      if (source.aborted) {
        this.abort("user");
      } else {
        source.addEventListener("abort", this.onSourceAbort, { once: true });
      }
    }
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => this.abort("timeout"), timeoutMs);
    }
  }
  abort(cause) {
    if (!this.controller.signal.aborted) {
      this.cause = cause;
      this.controller.abort();
    }
  }
  get done() {
    this.settled ??= new Promise((resolve) => {
      if (this.controller.signal.aborted) {
        resolve();
      } else {
        this.controller.signal.addEventListener("abort", () => resolve(), { once: true });
      }
    });
    return this.settled;
  }
  get signal() {
    return this.controller.signal;
  }
  get aborted() {
    return this.controller.signal.aborted;
  }
  finish() {
    clearTimeout(this.timer);
    if (this.source) {
      this.source.removeEventListener("abort", this.onSourceAbort);
    }
  }
}

// The error class that every call rejects with. Imported by js_error.rs.

export class RenewFetchError extends Error {
  constructor(kind, message, status, code, method, url, reason) {
    super(message);
    this.name = "RenewFetchError";
    this.kind = kind;
    this.status = status ?? null;
    this.code = code ?? null;
    this.method = method;
    this.url = url;
    this.reason = reason ?? null;
  }
}
export function isRenewFetchError(value) {
  return value instanceof RenewFetchError;
}

// The checks of the options objects. Imported by options.rs.

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// The characters of Unicode's White_Space property, which Rust's char::is_whitespace matches.
const WHITESPACE = /[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const STORAGES = ["local", "session", "memory"];
const DUPLICATES = ["cancel-previous", "share", "off"];
const RESPONSE_TYPES = ["json", "text", "blob", "arrayBuffer"];

function isObject(value) {
  return typeof value === "object" && value !== null;
}

// Returns the property, or undefined when it is undefined, null or its getter throws.
function field(object, name) {
  try {
    return object[name] ?? undefined;
  } catch {
    return undefined;
  }
}

// Describes a value for a message: a number or a string as written, anything else by its type.
function describe(value) {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `"${value}"`;
  return typeof value;
}

function string(object, name) {
  const value = field(object, name);
  if (value !== undefined && typeof value !== "string") {
    throw `${name} must be a string, got ${typeof value}`;
  }
  return value;
}

function whole(object, name) {
  const value = field(object, name);
  if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 4294967295)) {
    throw `${name} must be a whole number from 0 to 4294967295, got ${describe(value)}`;
  }
  return value;
}

// Returns true for a whole number that a JavaScript number represents exactly, at most 2^53
// either way.
function code(value) {
  return Number.isInteger(value) && Math.abs(value) <= 2 ** 53;
}

function oneOf(object, name, names, accepted) {
  const value = string(object, name);
  if (value === undefined) return -1;
  const index = names.indexOf(value);
  if (index < 0) throw `${name} must be ${accepted}, got "${value}"`;
  return index;
}

function callback(object, name) {
  const value = field(object, name);
  if (value !== undefined && typeof value !== "function") {
    throw `${name} must be a function, got ${typeof value}`;
  }
  return value;
}

// Reads the headers option into a flat list of names and values. The option is a Headers object,
// or a plain object of names and string, number or boolean values.
function headers(object) {
  const value = field(object, "headers");
  const list = [];
  if (value === undefined) return list;
  if (typeof Headers === "function" && value instanceof Headers) {
    for (const [name, item] of value) list.push(name, item);
    return list;
  }
  if (!isObject(value) || Array.isArray(value)) {
    throw 'headers must be an object of header names and values, such as { "X-Client": "web" }';
  }
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (!HEADER_NAME.test(name)) throw `headers contains "${name}", which is not a valid header name`;
    if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
      throw `headers.${name} must be a string, got ${typeof item}`;
    }
    list.push(name, String(item));
  }
  return list;
}

function codes(options) {
  const value = field(options, "codes");
  if (value === undefined) return [];
  if (!isObject(value)) throw "codes must be an object, such as { overdue: 401 }";
  const read = (name) => {
    const number = field(value, name);
    if (number !== undefined && !code(number)) {
      throw `codes.${name} must be a whole number, got ${describe(number)}`;
    }
    return number;
  };
  const list = field(value, "loginRequired");
  if (list !== undefined) {
    if (!Array.isArray(list)) {
      throw "codes.loginRequired must be an array of numbers, such as [1006, 1007]";
    }
    if (!list.every(code)) {
      throw "codes.loginRequired must contain whole numbers only, such as [1006, 1007]";
    }
  }
  return [read("success"), read("overdue"), list];
}

function checkedClientOptions(options) {
  if (options === undefined || options === null) return [];
  if (!isObject(options)) throw 'the options must be an object, such as { baseUrl: "/api" }';
  const baseUrl = string(options, "baseUrl");
  const timeoutMs = whole(options, "timeoutMs");
  const headerList = headers(options);

  const storage = oneOf(options, "tokenStorage", STORAGES, '"local", "session" or "memory"');
  const tokenKey = string(options, "tokenKey");
  if (tokenKey === "") throw "tokenKey must not be empty";

  const authHeader = string(options, "authHeader");
  if (authHeader !== undefined && !HEADER_NAME.test(authHeader)) {
    throw `authHeader "${authHeader}" is not a valid header name`;
  }
  const authScheme = string(options, "authScheme");
  if (authScheme !== undefined && WHITESPACE.test(authScheme)) {
    throw `authScheme "${authScheme}" must not contain whitespace`;
  }
  const origins = field(options, "allowedOrigins");
  if (origins !== undefined && !(Array.isArray(origins) && origins.every((origin) => typeof origin === "string"))) {
    throw 'allowedOrigins must be an array of strings, such as ["http://127.0.0.1:8080"]';
  }

  const codeList = codes(options);
  const maxRenewRetries = whole(options, "maxRenewRetries");
  const duplicates = oneOf(options, "duplicates", DUPLICATES, '"cancel-previous", "share" or "off"');
  return [
    baseUrl,
    timeoutMs,
    headerList,
    storage,
    tokenKey,
    authHeader,
    authScheme,
    origins,
    maxRenewRetries,
    duplicates,
    callback(options, "onLoginRequired"),
    callback(options, "onLoadingChange"),
    callback(options, "onError"),
    ...codeList,
  ];
}

export function clientOptions(options) {
  try {
    return checkedClientOptions(options);
  } catch (message) {
    throw new TypeError(message);
  }
}

export function callOptions(options) {
  if (options === undefined || options === null) return [[]];
  if (!isObject(options)) throw "the request options must be an object, such as { timeoutMs: 5000 }";
  const signal = field(options, "signal");
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw "signal must be an AbortSignal";
  const noLoading = field(options, "noLoading");
  if (noLoading !== undefined && typeof noLoading !== "boolean") {
    throw `noLoading must be true or false, got ${typeof noLoading}`;
  }
  return [
    headers(options),
    field(options, "params"),
    whole(options, "timeoutMs"),
    signal,
    noLoading === true,
    oneOf(options, "duplicates", DUPLICATES, '"cancel-previous", "share" or "off"'),
    oneOf(options, "responseType", RESPONSE_TYPES, '"json", "text", "blob" or "arrayBuffer"'),
  ];
}

export function requestConfig(config) {
  if (!isObject(config)) throw 'request(config) needs an object, such as { url: "/items" }';
  const url = string(config, "url");
  if (url === undefined) throw 'request(config) needs a url, such as { url: "/items" }';
  return [url, string(config, "method") ?? "GET", field(config, "body"), callOptions(config)];
}

// One attempt: fetch, the renewed-token header and the body. Imported by transport.rs.

export class Received {
  constructor(status, ok, header, kind, value) {
    this.status = status;
    this.ok = ok;
    this.header = header;
    this.kind = kind;
    this.value = value;
  }
  get code() {
    return this.value.code;
  }
}

function readBody(response, type) {
  if (response.ok && type !== 0) {
    let read;
    if (type === 2) {
      read = response.blob();
    } else if (type === 3) {
      read = response.arrayBuffer();
    } else {
      read = response.text();
    }
    return read.then((value) => [0, value]);
  }
  return response.text().then((text) => {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      return [text.trim() === "" ? 2 : 3];
    }
    const envelope =
      value !== null && typeof value === "object" && !Array.isArray(value) && Number.isInteger(value.code);
    return envelope ? [1, value] : [4];
  });
}

export function attempt(url, method, headers, body, signal, type, authHeader, store) {
  const init = { method, headers: new Headers(), signal };
  for (let i = 0; i < headers.length; i += 2) {
    try {
      init.headers.set(headers[i], headers[i + 1]);
    } catch {
      throw `the value of header "${headers[i]}" is not a valid header value`;
    }
  }
  if (body !== undefined) {
    init.body = body;
  }
  return fetch(url, init).then(
    (response) => {
      const { status, ok } = response;
      const header = response.headers.get(authHeader) ?? undefined;
      if (store && header !== undefined) {
        store(header);
      }
      return readBody(response, type).then(
        ([kind, value]) => new Received(status, ok, header, kind, value),
        () => new Received(status, ok, header, 5),
      );
    },
    (error) => {
      if (!signal.aborted) {
        try {
          new Request(url, init);
        } catch (rejected) {
          throw `the browser rejected the request: ${rejected.message}`;
        }
      }
      throw error;
    },
  );
}

export function offline() {
  return typeof navigator === "object" && navigator !== null && navigator.onLine === false;
}
