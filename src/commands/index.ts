// The one table that wires commands into the CLI. Each entry is loaded only when commander
// needs it, but every definition file is light (no Ink, no SDK at the top), so listing them all
// for --help stays fast.
import type { CommandDefinition } from '../core/command.js';
import { configShowCommand } from './config-show.js';
import { configValidateCommand } from './config-validate.js';
import { exitCodesCommand } from './exit-codes.js';
import { initCommand } from './init.js';
import { secretsListCommand, secretsRotateCommand, secretsSetCommand } from './secrets.js';
import { statusCommand } from './status.js';
import { scaleCommand } from './scale.js';
import { logsCommand } from './logs.js';
import { usageCommand } from './usage.js';
import { costCommand } from './cost.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand, keysRotateCommand } from './keys.js';
import { loadtestCommand } from './loadtest.js';
import { LOCAL_COMMANDS } from './local.js';
import { planCommand } from './plan.js';
import { upCommand } from './up.js';
import { downCommand } from './down.js';

export const COMMANDS: CommandDefinition[] = [
  initCommand,
  planCommand,
  upCommand,
  downCommand,
  configShowCommand,
  configValidateCommand,
  exitCodesCommand,
  loadtestCommand,
  secretsListCommand,
  secretsRotateCommand,
  secretsSetCommand,
  statusCommand,
  scaleCommand,
  logsCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  keysRotateCommand,
  usageCommand,
  costCommand,
  ...LOCAL_COMMANDS,
];
