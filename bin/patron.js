#!/usr/bin/env node
// Entry point for `npx patron` / a global install: hands over to the TypeScript CLI (Node >= 22.18 strips types itself).
import '../src/cli/main.ts';
