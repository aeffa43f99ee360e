/**
 * README's "Use it in your app", run as a user would: its commands, its files (and the quick start's main.ts)
 * taken from README.md itself, in an empty folder, with the packed package in place of `cdk8s-egress` (as README
 * says until it is published). Dependencies come from the npm registry through npm's own cache.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { codeBlocks, labelledFiles, section } from './markdown';

export interface ReadmeApp {
  /** The "Use it in your app" shell commands, comments removed, in order. */
  readonly commands: string[];
  /** File name -> text: the section's files and the quick start's. */
  readonly files: Map<string, string>;
  /** The section's own text. */
  readonly text: string;
}

export function readmeApp(readme: string): ReadmeApp {
  const text = section(readme, 'Use it in your app');
  const commands = codeBlocks(text, 'sh').flatMap(block => block.split('\n'))
    .map(line => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(line => line !== '');
  const files = new Map([...labelledFiles(text), ...labelledFiles(section(readme, 'Quick start'))]);
  return { commands, files, text };
}

/** The command as README means it to be run before publication: the packed file instead of `cdk8s-egress`. */
export function withPackage(command: string, tarball: string): string {
  return /^npm (install|i|add)\b/.test(command) ? command.replace(/(?<=\s)cdk8s-egress(?=\s|$)/, tarball) : command;
}

/**
 * Runs the app in `dir` (which must be empty). npm's cache is reused without revalidation (prefer-offline):
 * a second run downloads nothing. The environment npm gives `npm test` (npm_config_*, npm_package_*) is
 * dropped, so the user's folder, not this repository, is the project.
 */
export function runReadmeApp(app: ReadmeApp, tarball: string, dir: string): string[] {
  for (const [name, text] of app.files) fs.writeFileSync(path.join(dir, name), text);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k)));
  Object.assign(env, {
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  });
  const ran: string[] = [];
  for (const command of app.commands.map(c => withPackage(c, tarball))) {
    ran.push(command);
    try {
      execFileSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      // Quoted, so jest does not take the command's own stack lines for the test's.
      const tail = `${err.stdout ?? ''}\n${err.stderr ?? ''}`.split('\n').filter(l => l.trim() !== '').slice(-15).map(l => `| ${l}`).join('\n');
      throw new Error(`README's "${command}" failed in ${dir}:\n${tail}`);
    }
  }
  return ran;
}
