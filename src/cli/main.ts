// The `patron` command's entry point. Node's module compile cache first, before any of Patron's modules load: with
// it, a start reads each module's stripped JavaScript and V8 code from the cache instead of stripping and compiling
// every TypeScript file again (`patron --help` 3.8 → 2.5 s on a slow 2-core machine). It is on-disk derived data keyed
// by file contents (os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE names another folder,
// NODE_DISABLE_COMPILE_CACHE=1 turns it off); when it cannot be used, Node says so in the answer and carries on.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./commands.ts');
