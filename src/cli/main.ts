import { Command, CommanderError } from 'commander';
import { CliError } from './client.js';
import { registerAdmin } from './commands/admin.js';
import { registerCiWorkflow } from './commands/ci-workflow.js';
import { registerExpCommit } from './commands/exp-commit.js';
import { registerAgent } from './commands/agent.js';
import { registerExpCancel } from './commands/exp-cancel.js';
import { registerExpList } from './commands/exp-list.js';
import { registerExpLogs } from './commands/exp-logs.js';
import { registerExpRun } from './commands/exp-run.js';
import { registerExpTable } from './commands/exp-table.js';
import { registerProject } from './commands/project.js';
import { registerTeam } from './commands/team.js';
import { registerToken } from './commands/token.js';
import { registerServe } from './commands/serve.js';
import { registerPipelineCommands } from './commands/pipeline.js';
import { registerCompute } from './commands/compute.js';
import { registerUserInvite } from './commands/user-invite.js';
import { registerLogin } from './commands/login.js';
import { registerAudit } from './commands/audit.js';

const program = new Command('kiln')
  .description('Kiln: an experiment studio for Git + DVC projects')
  .option('--url <url>', 'Kiln server URL (env KILN_URL, default http://127.0.0.1:8080)')
  .option('--token <token>', 'access token (env KILN_TOKEN)')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerAdmin(program);
registerProject(program);
registerTeam(program);
registerToken(program);
registerCiWorkflow(program);
const exp = program.command('exp').description('experiments');
registerExpTable(exp);
registerExpRun(exp);
registerExpList(exp);
registerExpLogs(exp);
registerExpCancel(exp);
registerExpCommit(exp);
registerAgent(program);
registerPipelineCommands(program);
registerCompute(program);
registerUserInvite(program.command('user').description('people: invites'));
registerLogin(program);
registerAudit(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof CliError) {
    process.stderr.write(`kiln: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`kiln: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
