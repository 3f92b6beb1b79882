import { PROCESS_IO } from './io';
import { runCli } from './program';

void runCli(process.argv.slice(2), PROCESS_IO).then((code) => {
  process.exitCode = code;
});
