#!/usr/bin/env node
// Copies non-TypeScript assets that the compiled server needs into dist/.
// (The default configuration and mime.types live in conf/ at the project
// root and are found from there; nothing to copy yet beyond that.)
