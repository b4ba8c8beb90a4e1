// Measures what one device-PIN guess costs with the app's own Argon2id (hash-wasm, the
// WebAssembly the phone runs) at the parameters stored with the wrapped key, and what an
// offline attacker with a copy of the browser profile then needs to try every secret of a
// given policy. docs/device-security.md quotes the figures. Usage: node scripts/argon2-cost.mjs [runs]
import { argon2id } from "hash-wasm";
import { webcrypto } from "node:crypto";

const PARAMS = { memorySize: 64 * 1024, iterations: 3, parallelism: 1, hashLength: 32 };
const runs = Number(process.argv[2] ?? 8);
const times = [];
await argon2id({ ...PARAMS, password: "warm-up", salt: new Uint8Array(16), outputType: "binary" });
for (let i = 0; i < runs; i += 1) {
  const salt = webcrypto.getRandomValues(new Uint8Array(16));
  const t = performance.now();
  await argon2id({ ...PARAMS, password: "4829163307", salt, outputType: "binary" });
  times.push((performance.now() - t) / 1000);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`hash-wasm Argon2id m=64 MiB t=3 p=1: median ${median.toFixed(3)} s per guess (min ${times[0].toFixed(3)} s, ${runs} runs)`);
console.log(`=> ${(1 / median).toFixed(2)} guesses per second per core`);
const spaces = {
  "6 digits (old minimum)": 10 ** 6,
  "10 digits": 10 ** 10,
  "10 characters a-z0-9": 36 ** 10,
  "12 characters a-z0-9": 36 ** 12,
};
for (const [name, n] of Object.entries(spaces)) {
  const coreSeconds = n * median;
  console.log(`${name}: ${n.toExponential(2)} secrets, ${(coreSeconds / 86400).toExponential(2)} core-days to try all`);
}
