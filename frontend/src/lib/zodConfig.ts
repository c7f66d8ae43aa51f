// First import of main.tsx, before any schema exists: zod's object parser probes for eval with
// `Function("")` when a schema is built, and the dashboard's Content-Security-Policy (no
// 'unsafe-eval') reports that probe as a violation. Without the JIT, zod parses the same way.
import { config } from "zod";

config({ jitless: true });
