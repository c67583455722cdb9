#!/usr/bin/env node
// The `casework` command: runs on the project's Node 22, which strips TypeScript types natively.
import '../local/cli.ts';
