#!/usr/bin/env node
/** Entry point of the `tinycnn` command (package.json "bin"). */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
