#!/usr/bin/env node
require('../dist/cli/crit.js');
