// The express server of the throughput benchmark. GET /protected checks the bearer token with the
// jsonwebtoken package, pinned to HS256, and sends the same JSON as the Rust server's routes.
//
// /protected passes jwt.verify a KeyObject made once at start, as the Rust layer builds its key
// once. /protected-string-secret passes the secret string, as jsonwebtoken's README shows. With a
// string, jsonwebtoken 9.0.3 (verify.js) first tries createPublicKey on it and falls back to
// createSecretKey in the catch, on every call, which costs far more than the HMAC itself.
//
//   RENEW_FETCH_BENCH_SECRET=<secret> node express-server.js --addr 127.0.0.1:0
//
// It prints `listening on ADDR` once bound and logs nothing per request. scripts/bench.sh starts
// it with the secret that the Rust server uses, so one token is valid on both.
import { createSecretKey } from "node:crypto";

import express from "express";
import jwt from "jsonwebtoken";

const USAGE = "usage: node express-server.js --addr 127.0.0.1:PORT";
const SECRET_VARIABLE = "RENEW_FETCH_BENCH_SECRET";
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

function fail(message) {
  console.error(`express-server: ${message}`);
  process.exit(1);
}

function parseAddr(argv) {
  const index = argv.indexOf("--addr");
  if (index === -1 || index + 1 >= argv.length) {
    fail(`missing --addr; ${USAGE}`);
  }
  const value = argv[index + 1];
  const match = /^127\.0\.0\.1:(\d+)$/.exec(value);
  if (!match) {
    fail(`invalid --addr ${JSON.stringify(value)}: the benchmark server binds to 127.0.0.1 only; ${USAGE}`);
  }
  return { host: "127.0.0.1", port: Number(match[1]) };
}

const secret = process.env[SECRET_VARIABLE];
if (!secret || Buffer.byteLength(secret) < 32) {
  fail(`missing ${SECRET_VARIABLE}: set it to a secret of 32 bytes or more`);
}
const { host, port } = parseAddr(process.argv.slice(2));
const key = createSecretKey(Buffer.from(secret, "utf8"));

// Returns a middleware that verifies the bearer token with `verificationKey` and stores the
// claims on the request, or responds 401.
function requireToken(verificationKey) {
  return (req, res, next) => {
    const match = BEARER.exec(req.get("authorization") ?? "");
    if (!match) {
      res.status(401).json({ code: 1006, msg: "login required", data: null });
      return;
    }
    try {
      req.claims = jwt.verify(match[1], verificationKey, { algorithms: ["HS256"] });
    } catch {
      res.status(401).json({ code: 1007, msg: "invalid token", data: null });
      return;
    }
    next();
  };
}

function hello(_req, res) {
  res.json({ code: 200, msg: "ok", data: { ok: true } });
}

const app = express();
// The Rust server sends neither header, so both send responses of the same shape.
app.disable("x-powered-by");
app.disable("etag");
app.get("/protected", requireToken(key), hello);
app.get("/protected-string-secret", requireToken(secret), hello);

const server = app.listen(port, host, () => {
  const address = server.address();
  console.log(`listening on ${address.address}:${address.port}`);
});
server.on("error", (error) => fail(`failed to listen on ${host}:${port}: ${error.message}`));
