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
      // A signal that aborts with a TimeoutError, as AbortSignal.timeout() does, times the call
      // out. Any other reason cancels it.
      const cause = () => (source.reason?.name === "TimeoutError" ? "signal-timeout" : "user");
      this.onSourceAbort = () => this.abort(cause());
      if (source.aborted) {
        this.abort(cause());
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
  // Resolves on the abort, or at finish(), so that a call that settled without an abort leaves
  // no pending promise whose callbacks the wasm side would keep. The call awaits it only before
  // it finishes.
  get done() {
    this.settled ??= new Promise((resolve) => {
      this.resolveDone = resolve;
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
    this.resolveDone?.();
  }
}

// The error class that every call rejects with. Imported by js_error.rs.

export class RenewFetchError extends Error {
  constructor(kind, message, status, code, method, url, reason, data, body, cause) {
    // A call canceled by its signal has the reason the signal aborted with as its cause, and a
    // call that fetch rejected has fetch's error.
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RenewFetchError";
    this.kind = kind;
    this.status = status ?? null;
    this.code = code ?? null;
    this.method = method;
    this.url = url;
    this.reason = reason ?? null;
    this.data = data ?? null;
    this.body = body ?? null;
  }
}

// Imported by js_error.rs, which exports isRenewFetchError.
export function isRenewFetchErrorInstance(value) {
  return value instanceof RenewFetchError;
}

// The checks of the options objects. Imported by options.rs.

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const AXIOS_HEADER_GROUPS = ["common", "get", "post", "put", "patch", "delete", "head", "options"];
// An auth scheme is a token, as a header name is (RFC 9110).
const SCHEME_RULE = "must be one word of ASCII letters, digits and !#$%&'*+-.^_`|~, such as \"Bearer\", or \"\" for the raw token";
const STORAGES = ["local", "session", "memory"];
const DUPLICATES = ["cancel-previous", "share", "off"];
const RESPONSE_TYPES = ["json", "text", "blob", "arrayBuffer"];
// The largest delay that setTimeout keeps: Chromium runs a larger one at once, and Node after
// 1 ms. config.rs defines the same two limits and checks them again for every client.
const MAX_TIMEOUT_MS = 2147483647;
const MAX_RENEW_RETRIES = 20;
// The Fetch standard's forbidden request headers, which a browser sets itself.
const FORBIDDEN_HEADER =
  /^(accept-charset|accept-encoding|access-control-request-(headers|method)|connection|content-length|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;
// The method override headers, which the Fetch standard forbids when their value lists one of the
// methods that a browser never sends.
const METHOD_OVERRIDE = /^x-(http-method|http-method-override|method-override)$/i;
const FORBIDDEN_METHOD = /^[\t ]*(connect|trace|track)[\t ]*$/i;
const OVERRIDE_DROPPED =
  "lists CONNECT, TRACE or TRACK, which a browser never sends, so fetch drops the header from a page's request without an error; name another method or remove the header";
// The options of each object, for the check of misspelled names.
const CLIENT_OPTIONS = [
  "baseUrl", "timeoutMs", "headers", "tokenStorage", "tokenKey", "authHeader", "authScheme",
  "allowedOrigins", "codes", "maxRenewRetries", "duplicates", "onLoginRequired", "onLoadingChange",
  "onError", "onTokenChange",
];
const CALL_OPTIONS = [
  "headers", "params", "timeoutMs", "signal", "noLoading", "duplicates", "responseType", "fullResponse",
  "noErrorCallback", "noToken",
];
const CONFIG_OPTIONS = [...CALL_OPTIONS, "url", "method", "body"];
// Flags that axios wrappers read from the headers in a request interceptor, by lower-case name,
// with the option that does their job here.
const WRAPPER_FLAGS = {
  __proto__: null,
  istoken: "noToken: true for a call without the token",
  repeatsubmit: 'duplicates: "off" to send a call beside its duplicates',
};
const CODE_NAMES = ["success", "overdue", "loginRequired"];
// The axios and ky names that this client spells otherwise or has no option for, with the fix.
const SIGNAL = "pass an AbortSignal as signal";
const NO_PROGRESS = "fetch reports no progress; use XMLHttpRequest for a transfer that shows it";
const COOKIES =
  "the client sends cookies to the page's own origin only, as fetch does by default, and authenticates with the token";
const NO_HOOKS =
  "the client has no hooks, so set headers with headers or setHeader, and handle errors in onError or where the call's promise rejects";
const ENVELOPE = "the client reads the envelope's code whatever the status, and rejects an error status without an envelope with kind http";
const CALL_RENAMES = {
  timeout: "use timeoutMs",
  cancelToken: SIGNAL,
  withCredentials: COOKIES,
  credentials: COOKIES,
  onUploadProgress: NO_PROGRESS,
  onDownloadProgress: NO_PROGRESS,
  searchParams: "use params",
  json: "pass the body as the second argument of post, put or patch, or as body in request()",
  auth: "store the token with setToken, or set the header on the call",
  baseURL: "pass an absolute URL, or give the client a baseUrl",
  interceptors: NO_HOOKS,
  hooks: NO_HOOKS,
  transformRequest: "pass the body as it should be sent",
  transformResponse: "change the envelope that the call resolves to, or use responseType",
  validateStatus: ENVELOPE,
  throwHttpErrors: ENVELOPE,
  retry: "the client replays a call only after an overdue response, so retry other failures where the call's promise rejects",
  paramsSerializer: "params are written as the qs package writes them; pass a URLSearchParams for another form",
};
const CLIENT_RENAMES = {
  ...CALL_RENAMES,
  baseURL: "use baseUrl",
  prefixUrl: "use baseUrl",
  cancelToken: `${SIGNAL} to each call`,
  params: "pass params to each call",
};
const CONFIG_RENAMES = { data: "use body" };
// The names that the options of get, post and the other methods may not take, beyond those of
// request(config): the request's own parts, which go in the arguments, and a base URL of its own.
const BODY_ARGUMENT = "pass the body as the second argument of post, put or patch";
const METHOD_RENAMES = {
  ...CALL_RENAMES,
  prefixUrl: "give the client a baseUrl, or pass an absolute URL",
  method: "call the method of that name, such as post, or request({ method })",
  body: BODY_ARGUMENT,
  data: BODY_ARGUMENT,
};

// The options of the client that a call does not take, with the fix for each one given to a
// call. A call would go out without them, such as to the client's baseUrl with the token.
const CLIENT_ONLY_FIX = "create another client with it for these calls";
const CLIENT_ONLY = {
  __proto__: null,
  baseUrl: "pass an absolute URL, or create another client with that baseUrl",
  onError: "handle the error where the call's promise rejects, and pass noErrorCallback: true to skip the client's onError",
};

// An object that is not an array or another collection, such as a Map, whose entries an options
// reader would not see.
function isObject(value) {
  return typeof value === "object" && value !== null && typeof value[Symbol.iterator] !== "function";
}

// Names the type of a value for a message, with null, arrays and other collections apart from
// other objects.
function kind(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && typeof value[Symbol.iterator] === "function") {
    return `a ${tag(value)}`;
  }
  return typeof value;
}

// Returns the name in Object.prototype.toString's "[object Name]", such as "Map".
function tag(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

// Returns the property, or undefined when it is undefined or null. A getter that throws is
// reported under the option's name.
function field(object, name) {
  try {
    return object[name] ?? undefined;
  } catch (error) {
    throw `reading ${name} failed: ${error}`;
  }
}

// Describes a value for a message: a number as written, a string quoted, anything else by its
// type.
function describe(value) {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return quote(value);
  return kind(value);
}

// Quotes a string for a message. One of more than 40 characters, such as a token passed to the
// wrong option, is cut to its first 24 with its length, so that no message carries it whole.
// `stringify` is JSON.stringify for a string whose control characters the message escapes.
function quote(text, stringify = (head) => `"${head}"`) {
  const chars = [...text];
  if (chars.length <= 40) return stringify(text);
  return `${stringify(chars.slice(0, 24).join(""))}... (${chars.length} characters)`;
}

// Returns a name for a message without quotes, cut as quote cuts it.
function cut(text) {
  return quote(text, (head) => head);
}

function string(object, name) {
  const value = field(object, name);
  if (value !== undefined && typeof value !== "string") {
    throw `${name} must be a string, got ${kind(value)}`;
  }
  return value;
}

function whole(object, name, max) {
  const value = field(object, name);
  if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= max)) {
    throw `${name} must be a whole number from 0 to ${max}, got ${describe(value)}`;
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
  if (index < 0) throw `${name} must be ${accepted}, got ${quote(value)}`;
  return index;
}

function flag(object, name) {
  const value = field(object, name);
  if (value !== undefined && typeof value !== "boolean") {
    throw `${name} must be true or false, got ${kind(value)}`;
  }
  return value;
}

function callback(object, name) {
  const value = field(object, name);
  if (value !== undefined && typeof value !== "function") {
    throw `${name} must be a function, got ${kind(value)}`;
  }
  return value;
}

// Throws one message that names every option of another library and every misspelled option,
// in the order that the object lists them, so that one run shows every fix. The options of a
// call (`ofCall`) name the client's options too.
function rejectRenamed(object, renames, known, ofCall = false) {
  const own = Object.keys(object);
  // Renamed options that the object inherits, such as from a class, come after its own.
  const names = [...own, ...Object.keys(renames).filter((name) => !own.includes(name))];
  const problems = [];
  for (const name of names) {
    if (Object.hasOwn(renames, name)) {
      if (field(object, name) !== undefined) problems.push(`${name} is not an option of renew-fetch; ${renames[name]}`);
      continue;
    }
    // A name that differs from an option by case or by up to two letters is a typo that would
    // leave the option unset, such as onLoginRequire. Other unknown names are ignored.
    if (known.includes(name)) continue;
    if (ofCall && CLIENT_OPTIONS.includes(name)) {
      if (field(object, name) !== undefined) {
        problems.push(`${name} is an option of new HttpClient, not of a call; ${CLIENT_ONLY[name] ?? CLIENT_ONLY_FIX}`);
      }
      continue;
    }
    const near = known.find(
      (option) => option.toLowerCase() === name.toLowerCase() || (name.length > 4 && distance(name, option) < 3),
    );
    if (near !== undefined) problems.push(`${name} is not an option of renew-fetch; did you mean ${near}?`);
  }
  if (problems.length === 0) return;
  let message = problems[0];
  for (const problem of problems.slice(1)) {
    // A "did you mean" question already ends its sentence.
    message += message.endsWith("?") ? ` ${problem}` : `. ${problem}`;
  }
  throw message;
}

// Returns the Levenshtein distance between two strings.
function distance(first, second) {
  const row = Array.from({ length: second.length + 1 }, (_, index) => index);
  for (let i = 1; i <= first.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= second.length; j++) {
      const above = row[j];
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + (first[i - 1] === second[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[second.length];
}

// Returns true when fetch accepts `value` in a header. Without a Headers class every value
// passes, and fetch checks it.
function isHeaderValue(value) {
  if (typeof Headers !== "function") return true;
  try {
    new Headers([["x", value]]);
    return true;
  } catch {
    return false;
  }
}

// Returns the [name, value] entries of the headers option: a plain object, or anything iterable
// over pairs as fetch takes it, such as a Headers object, a Map or an array of pairs.
function headerEntries(value) {
  if (typeof value === "object" && value !== null && typeof value[Symbol.iterator] === "function") {
    return Array.from(value, (pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        // The message gives the length of a wrong pair but not its items, which may contain a token.
        let got = kind(pair);
        if (Array.isArray(pair)) {
          got = `an array of ${pair.length} item${pair.length === 1 ? "" : "s"}`;
        }
        throw `headers[${index}] must be a [name, value] pair, such as ["X-Client", "web"], got ${got}`;
      }
      return pair;
    });
  }
  if (!isObject(value)) {
    throw `headers must be an object of header names and values, such as { "X-Client": "web" }, got ${kind(value)}`;
  }
  return Object.entries(value);
}

// Returns true when fetch would drop the header `name` with `value` from a request without an
// error. A browser drops the forbidden request headers, and a method override header whose value
// lists a forbidden method, and Node sends both, so the check builds a Request of the runtime and
// looks for the header in it. Imported by api.rs.
export function droppedHeader(name, value = "1") {
  const forbidden =
    FORBIDDEN_HEADER.test(name) ||
    (METHOD_OVERRIDE.test(name) && value.split(",").some((method) => FORBIDDEN_METHOD.test(method)));
  if (!forbidden) return false;
  try {
    return !new Request("data:,", { headers: [[name, value]] }).headers.has(name);
  } catch {
    return false;
  }
}

// Reads the headers option into a flat list of names and values.
function headers(object) {
  const value = field(object, "headers");
  const list = [];
  if (value === undefined) return list;
  let entries;
  try {
    entries = headerEntries(value);
  } catch (error) {
    throw typeof error === "string" ? error : `reading headers failed: ${error}`;
  }
  for (const [name, item] of entries) {
    if (item === undefined) continue;
    if (typeof name !== "string" || !HEADER_NAME.test(name)) {
      throw `headers contains ${quote(String(name))}, which is not a valid header name`;
    }
    if (droppedHeader(name)) {
      throw `headers contains ${quote(name)}, which the browser sets itself and fetch drops from a page's request without an error; remove it`;
    }
    if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
      // axios groups headers by method, as in headers.common or headers.get.
      const grouped = typeof item === "object" && item !== null && AXIOS_HEADER_GROUPS.includes(name.toLowerCase());
      const fix = grouped ? `; headers.${name} is axios's group of headers, so put its headers in headers itself` : "";
      throw `headers.${cut(name)} must be a string, a number or a boolean, got ${kind(item)}${fix}`;
    }
    const flag = wrapperFlag(`headers.${name}`, name, item);
    if (flag !== undefined) throw flag;
    const text = String(item);
    if (!isHeaderValue(text)) {
      throw `the value of header ${quote(name)} is not a valid header value; remove line breaks, NUL and characters above U+00FF`;
    }
    if (droppedHeader(name, text)) throw `the value ${quote(text)} of header ${quote(name)} ${OVERRIDE_DROPPED}`;
    list.push(name, text);
  }
  return list;
}

function codes(options) {
  const value = field(options, "codes");
  if (value === undefined) return [];
  if (!isObject(value)) throw `codes must be an object, such as { overdue: 401 }, got ${kind(value)}`;
  const unknown = Object.keys(value).find((name) => !CODE_NAMES.includes(name));
  if (unknown !== undefined) {
    throw `codes contains ${quote(unknown)}, which is not a code of renew-fetch; use success, overdue or loginRequired`;
  }
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
      throw `codes.loginRequired must be an array of numbers, such as [1006, 1007], got ${kind(list)}`;
    }
    const bad = list.findIndex((item) => !code(item));
    if (bad !== -1) {
      throw `codes.loginRequired must contain whole numbers only, such as [1006, 1007], got ${describe(list[bad])}`;
    }
  }
  return [read("success"), read("overdue"), list];
}

function checkedClientOptions(options) {
  if (options === undefined || options === null) return [];
  if (!isObject(options)) {
    throw `the options must be an object, such as { baseUrl: "/api" }, got ${kind(options)}`;
  }
  rejectRenamed(options, CLIENT_RENAMES, CLIENT_OPTIONS);
  const base = field(options, "baseUrl");
  const baseUrl = base === undefined ? undefined : requestUrl(base, "baseUrl");
  const timeoutMs = whole(options, "timeoutMs", MAX_TIMEOUT_MS);
  const headerList = headers(options);

  const storage = oneOf(options, "tokenStorage", STORAGES, '"local", "session" or "memory"');
  const tokenKey = string(options, "tokenKey");
  if (tokenKey === "") throw "tokenKey must not be empty";

  const authHeader = string(options, "authHeader");
  if (authHeader !== undefined && !HEADER_NAME.test(authHeader)) {
    throw `authHeader ${quote(authHeader)} is not a valid header name`;
  }
  if (authHeader !== undefined && droppedHeader(authHeader)) {
    throw `authHeader ${quote(authHeader)} names a header that the browser sets itself, so fetch would drop the token without an error; use a header of the app's own, such as "Authorization"`;
  }
  const authScheme = string(options, "authScheme");
  if (authScheme !== undefined && authScheme !== "" && !HEADER_NAME.test(authScheme)) {
    throw `authScheme ${quote(authScheme, JSON.stringify)} ${SCHEME_RULE}`;
  }
  const entries = field(options, "allowedOrigins");
  // A URL object counts as its href, as a request URL does.
  const origins = Array.isArray(entries)
    ? entries.map((origin) => (tag(origin) === "URL" ? field(origin, "href") : origin))
    : entries;
  if (origins !== undefined) {
    const bad = Array.isArray(origins) ? origins.findIndex((origin) => typeof origin !== "string") : -2;
    if (bad !== -1) {
      const got = bad === -2 ? describe(origins) : `an array holding ${describe(origins[bad])}`;
      throw `allowedOrigins must be an array of strings, such as ["http://127.0.0.1:8080"], got ${got}`;
    }
  }
  // A fixed auth header would replace the stored token on every call, so renewal, replay and the
  // login-required callback would never run, and it would go to every origin.
  const auth = (authHeader ?? "Authorization").toLowerCase();
  const fixed = headerList.find((name, index) => index % 2 === 0 && name.toLowerCase() === auth);
  if (fixed !== undefined) {
    throw `headers contains ${quote(fixed)}, which the client fills from the stored token on allowed origins; call setToken(token) instead, or set the header on the calls that need a fixed value`;
  }

  const codeList = codes(options);
  const maxRenewRetries = whole(options, "maxRenewRetries", MAX_RENEW_RETRIES);
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
    callback(options, "onTokenChange"),
    ...codeList,
  ];
}

// Reports an exception that a callback threw, without failing the call that called it.
// Browsers show reportError's report as an uncaught error. Imported by options.rs.
export function reportCallbackError(name, error) {
  if (typeof reportError === "function") {
    reportError(error);
  } else {
    console.error(`renew-fetch: the ${name} callback threw`, error);
  }
}

export function clientOptions(options) {
  try {
    return checkedClientOptions(options);
  } catch (message) {
    throw new TypeError(message);
  }
}

export function callOptions(options, known = CALL_OPTIONS, renames = METHOD_RENAMES) {
  if (options === undefined || options === null) return [[]];
  if (!isObject(options)) {
    throw `the request options must be an object, such as { timeoutMs: 5000 }, got ${kind(options)}`;
  }
  rejectRenamed(options, renames, known, true);
  const signal = field(options, "signal");
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw `signal must be an AbortSignal, got ${kind(signal)}`;
  }
  const noLoading = flag(options, "noLoading");
  return [
    headers(options),
    field(options, "params"),
    whole(options, "timeoutMs", MAX_TIMEOUT_MS),
    signal,
    noLoading === true,
    oneOf(options, "duplicates", DUPLICATES, '"cancel-previous", "share" or "off"'),
    oneOf(options, "responseType", RESPONSE_TYPES, '"json", "text", "blob" or "arrayBuffer"'),
    flag(options, "fullResponse") === true,
    flag(options, "noErrorCallback") === true,
    flag(options, "noToken") === true,
  ];
}

// Returns a request URL as a string: a string as it is, and a URL object as its href. An object
// tagged "URL", such as a URL of another realm, counts as a URL object. For any other value it
// throws a message about `name`. Imported by options.rs.
export function requestUrl(value, name) {
  if (typeof value === "string") return value;
  const href = tag(value) === "URL" ? field(value, "href") : undefined;
  if (typeof href !== "string") {
    throw `${name} must be a string or a URL object, such as "/items", got ${kind(value)}`;
  }
  return href;
}

export function requestConfig(config) {
  if (!isObject(config)) {
    throw `request(config) needs an object, such as { url: "/items" }, got ${kind(config)}`;
  }
  rejectRenamed(config, CONFIG_RENAMES, []);
  const url = field(config, "url");
  if (url === undefined) throw 'request(config) needs a url, such as { url: "/items" }';
  return [
    requestUrl(url, "url"),
    string(config, "method") ?? "GET",
    field(config, "body"),
    callOptions(config, CONFIG_OPTIONS, CALL_RENAMES),
  ];
}

// The request options that an axios or ky habit puts in the params, as in get(url, { params,
// headers }), with the kind of value each one takes. The query string would carry them, a token
// in headers included, and the call would lose them as options.
const isBoolean = (value) => typeof value === "boolean";
const isNumber = (value) => typeof value === "number";
const isHeaders = (value) => isObject(value) || Array.isArray(value);
const OPTIONS_IN_PARAMS = {
  params: isObject,
  headers: isHeaders,
  auth: isObject,
  data: isObject,
  searchParams: isObject,
  json: isObject,
  baseURL: (value) => typeof value === "string",
  withCredentials: isBoolean,
  credentials: (value) => typeof value === "string",
  signal: (value) => tag(value) === "AbortSignal",
  responseType: (value) => RESPONSE_TYPES.includes(value),
  duplicates: (value) => DUPLICATES.includes(value),
  noLoading: isBoolean,
  fullResponse: isBoolean,
  noErrorCallback: isBoolean,
  noToken: isBoolean,
  timeout: isNumber,
  timeoutMs: isNumber,
};

// Returns the message for a boolean header value under the name of an axios wrapper's flag, with
// `label` naming the header, or undefined. Imported by http_client.rs for setHeader.
export function wrapperFlag(label, name, value) {
  const option = typeof value === "boolean" ? WRAPPER_FLAGS[name.toLowerCase()] : undefined;
  if (option === undefined) return undefined;
  return `${label} is an axios wrapper's flag, which fetch would send as a header; remove it, and pass the option ${option}`;
}

// Returns the message for params that hold a request option, or undefined. Headers as an object,
// axios's auth and an AbortSignal under any name are options wherever params are given, because
// no query carries them. The argument of get or delete, `positional`, is also options when every
// name is an option name and one of them has an option's kind of value. A name such as data beside
// query fields, as in { data: { type: "csv" }, page: 1 }, is a query field, and so is any name in
// params given as options.params or in request(). Imported by request.rs.
export function optionsInParams(params, method, positional) {
  if (tag(params) !== "Object") return undefined;
  const names = Object.keys(params);
  const matches = (name) => Object.hasOwn(OPTIONS_IN_PARAMS, name) && OPTIONS_IN_PARAMS[name](field(params, name));
  let name = names.find((name) => tag(field(params, name)) === "AbortSignal");
  name ??= ["headers", "auth"].find(matches);
  let wayOut = "or pass the params as a URLSearchParams to send a query field of that name";
  if (name === undefined && positional && names.every((name) => Object.hasOwn(OPTIONS_IN_PARAMS, name))) {
    name = names.find(matches);
    wayOut = "or, to send query fields of these names, pass the params as options.params";
  }
  if (name === undefined) return undefined;
  const fix = positional
    ? `pass the options third, as in ${method.toLowerCase()}(url, undefined, { ${name} })`
    : `set it beside params, as in { params, ${name} }`;
  return `The params contain "${name}", which is a request option, not a query field; ${fix}, ${wayOut}`;
}

// The options of ky and of fetch's init, which a ky or fetch habit passes in place of the body,
// as in post(url, { json, headers }). Sent as the body, they would carry a token in headers to
// the server as JSON.
const BODY_OPTIONS = [
  "json", "searchParams", "prefixUrl", "retry", "timeout", "hooks", "throwHttpErrors", "parseJson",
  "stringifyJson", "fetch", "context", "onDownloadProgress", "onUploadProgress", "method", "headers",
  "body", "mode", "credentials", "cache", "redirect", "referrer", "referrerPolicy", "integrity",
  "keepalive", "signal", "priority", "window", "duplex", ...CALL_OPTIONS, "data", "params",
  "withCredentials", "auth", "baseURL", "baseUrl",
];

// Returns true when headers, as an object or as pairs, name the auth header, Authorization or
// Content-Type, which data such as a table's column headers would not.
function requestHeaders(headers, authHeader) {
  if (!isHeaders(headers)) return false;
  let names = Object.keys(headers);
  if (Array.isArray(headers)) {
    names = headers.map((pair) => (Array.isArray(pair) ? pair[0] : undefined));
  }
  const requestNames = [authHeader, "authorization", "content-type"].map((name) => name.toLowerCase());
  return names.some((name) => typeof name === "string" && requestNames.includes(name.toLowerCase()));
}

// Returns the message for a body whose names are all such options, with json as an object or
// array among them, or with headers beside another option than data, or with headers that name
// the auth header, Authorization or Content-Type. Returns undefined for other bodies. Imported by
// request.rs.
export function optionsInBody(body, method, authHeader) {
  if (tag(body) !== "Object") return undefined;
  const names = Object.keys(body);
  if (!names.every((name) => BODY_OPTIONS.includes(name))) return undefined;
  const call = `${method.toLowerCase()}(url, data, { headers })`;
  // The descriptors leave getters uncalled. A getter counts as the option that it would return.
  const value = (name) => Object.getOwnPropertyDescriptor(body, name);
  const hasOption = (name, check) => names.includes(name) && (value(name).get !== undefined || check(value(name).value));
  if (hasOption("json", (json) => typeof json === "object" && json !== null)) {
    return `The body contains "json", which is ky's option for the data; pass the data itself, as in ${call}, or pass JSON.stringify(body) to send a field named json`;
  }
  // Sent as the body, noToken would leave the token on the call that it was meant to keep off.
  if (hasOption("noToken", (noToken) => typeof noToken === "boolean")) {
    const third = `${method.toLowerCase()}(url, data, { noToken: true })`;
    return `The body contains "noToken", which is a request option; pass the options third, as in ${third}, or pass JSON.stringify(body) to send a field named noToken`;
  }
  // Data such as a table may have headers beside its rows in data, but not beside other options.
  const others = names.some((name) => name !== "headers" && name !== "data");
  if (hasOption("headers", (headers) => requestHeaders(headers, authHeader) || (others && isHeaders(headers)))) {
    return `The body contains "headers", which is a request option; pass the data as the body and the headers third, as in ${call}, or pass JSON.stringify(body) to send a field named headers`;
  }
  return undefined;
}

// The collections in params and bodies whose entries Object.entries does not see, so that qs and
// JSON.stringify would write them as {}. Imported by values.rs.

const COLLECTIONS = {
  Map: "Object.fromEntries(map)",
  Set: "Array.from(set)",
  URLSearchParams: "Object.fromEntries(params)",
  Headers: "Object.fromEntries(headers)",
  FormData: "Object.fromEntries(formData)",
};

// Returns the message for such a collection, with the call that converts it, or undefined.
export function collectionError(value) {
  const name = tag(value);
  if (!Object.hasOwn(COLLECTIONS, name)) return undefined;
  return `a ${name} has no JSON or query form; convert it with ${COLLECTIONS[name]} first`;
}

// The body part of the duplicate key. Imported by request.rs.

// Returns the JSON text `json` with the keys of every object sorted, so that two bodies give the
// same text exactly when they are sent as the same JSON value. The keys go into an object
// without a prototype, where a "__proto__" key is a plain property.
export function sortedJson(json) {
  return JSON.stringify(JSON.parse(json), (_, value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const sorted = Object.create(null);
    for (const name of Object.keys(value).sort()) sorted[name] = value[name];
    return sorted;
  });
}

// One attempt: fetch, the renewed-token header and the body. Imported by transport.rs.

export class Received {
  constructor(status, ok, header, foreign, kind, value, headers, stored = false, cors = false) {
    this.status = status;
    this.ok = ok;
    this.header = header;
    this.foreign = foreign;
    this.kind = kind;
    this.value = value;
    this.headers = headers;
    this.stored = stored;
    this.cors = cors;
  }
  get code() {
    return this.value.code;
  }
}

// Returns what a call with fullResponse resolves to. Imported by http_client.rs.
export function fullResponse(status, headers, data, replays, renewed) {
  return { status, headers, data, replays, renewed };
}

// Returns true when both URLs have one origin.
function sameOrigin(first, second) {
  try {
    return new URL(first).origin === new URL(second).origin;
  } catch {
    return false;
  }
}

// Returns the origin that the page's or worker's requests come from, or undefined in Node: the
// origin of its location. An about:blank or about:srcdoc frame has no origin in its location, so
// the origin of a blob URL that it creates is used. A document whose location has no origin,
// such as a sandboxed srcdoc frame, a data: frame or a file: page, gets undefined, because its
// base URL is no proof of an origin. A frame that the sandbox attribute or header gives an opaque
// origin, but whose location is an http: URL, gets the origin of that URL. self.origin is not
// read, because a script's global `var origin` replaces it. Imported by request.rs.
export function pageOrigin() {
  for (const url of [globalThis.location?.href, blobUrl()]) {
    try {
      // Chromium gives a file: URL the origin "file://", although its document's is opaque.
      const { origin } = new URL(url);
      if (origin !== "null" && origin !== "file://") return origin;
    } catch {
      // Not an absolute URL, such as undefined.
    }
  }
  return undefined;
}

// Returns a blob URL of this window or worker, which carries its origin, or undefined.
function blobUrl() {
  try {
    const url = URL.createObjectURL(new Blob());
    URL.revokeObjectURL(url);
    return url;
  } catch {
    return undefined;
  }
}

// Returns true when a redirected request may have gone through another origin and back. A
// request to the page's own origin gives a "cors" reply then, where a chain within the origin
// gives "basic". A request to another origin is "cors" at every hop, so the hops stay unknown. In
// a sandboxed frame every reply is "cors", so a redirect within its origin counts too, and so
// does every redirect in a document whose location has no origin, which has no page origin.
// NOTE: for an API on another origin than the page, and in Node, which has no page, a detour
// through a third origin and back goes unnoticed, and its renewed token is stored.
function leftPageOrigin(response, url) {
  if (response.type !== "cors") return false;
  const page = pageOrigin();
  return page === undefined ? globalThis.location !== undefined : sameOrigin(url, page);
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
      return text.trim() === "" ? [2] : [3, text];
    }
    // A code beyond 2^53 would reach Rust rounded, or clamped by the cast to i64.
    const envelope = value !== null && typeof value === "object" && !Array.isArray(value) && code(value.code);
    if (envelope) {
      // The Envelope type promises both fields, and a server may leave either out.
      value.msg ??= "";
      value.data ??= null;
    }
    return [envelope ? 1 : 4, value];
  });
}

export function attempt(url, method, headers, body, signal, type, authHeader, holdRedirects, store, generation) {
  const init = { method, headers: new Headers(), signal };
  for (let i = 0; i < headers.length; i += 2) {
    try {
      init.headers.set(headers[i], headers[i + 1]);
    } catch {
      throw `the value of header ${quote(headers[i])} is not a valid header value`;
    }
  }
  if (body !== undefined) {
    init.body = body;
  }
  if (holdRedirects) {
    init.redirect = "manual";
  }
  return fetch(url, init).then(
    (response) => {
      const { status, ok } = response;
      // A browser gives an opaque response for a redirect, and Node the 3xx itself.
      if (holdRedirects && (response.type === "opaqueredirect" || (status >= 300 && status < 400 && response.headers.has("location")))) {
        return new Received(status, false, undefined, false, 6);
      }
      // After a redirect to another origin, the response is that origin's, so its renewed
      // token is ignored like any other origin's that is not allowed. So is the response of a
      // request that a redirect took through another origin and back, because fetch dropped
      // the token at the first hop.
      const own = !response.redirected || (sameOrigin(response.url, url) && !leftPageOrigin(response, url));
      const header = own ? (response.headers.get(authHeader) ?? undefined) : undefined;
      const stored = Boolean(store && header !== undefined && store(header, generation));
      // The browser hides the headers of a "cors" response that Access-Control-Expose-Headers
      // leaves out. Node has no location, and after a redirect through another origin its
      // responses are "cors" too, with every header readable.
      const cors = response.type === "cors" && globalThis.location !== undefined;
      return readBody(response, type).then(
        ([kind, value]) => new Received(status, ok, header, !own, kind, value, response.headers, stored, cors),
        () => new Received(status, ok, header, !own, 5, undefined, undefined, stored, cors),
      );
    },
    (error) => {
      if (!signal.aborted) {
        try {
          new Request(url, init);
        } catch (rejected) {
          throw `fetch rejected the request: ${rejected.message}`;
        }
      }
      throw error;
    },
  );
}

export function offline() {
  return typeof navigator === "object" && navigator !== null && navigator.onLine === false;
}
