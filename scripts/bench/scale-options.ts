import { parseArgs } from 'node:util';

export interface ScaleOptions {
  sizes: number[];
  durationSeconds: number;
  rate: number;
  realDevices: number;
  ladderStepSeconds: number;
  ladderMaxSteps: number;
  registerCount: number;
  registerConnections: number;
  connections: number;
  cpuProfile: boolean;
  skipAdmin: boolean;
  skipRegister: boolean;
  skipLadder: boolean;
  useCache: boolean;
  quick: boolean;
}

const HELP = `npm run bench:scale -- [options]
  --instances N        product instances to seed (default 1000000)
  --sizes A,B,C        run the whole bench at each size, e.g. 10000,100000,1000000 (REGISTER and admin at the largest)
  --duration S         fixed-rate AUTHORIZE run and admin phase, seconds (default 60)
  --rate R             offered AUTHORIZE rate, req/s (default 1111: 1M devices reporting every 15 min)
  --real-devices N     devices with real keys registered through the handler (default 25000, above the 20,000-key cache)
  --ladder-step S      seconds per step of the search for the highest rate holding p99 < 50 ms (default 15)
  --register N         REGISTER burst size (default 10000), --register-connections C (default 200)
  --cpu-prof           profile the server and print a top-20 self-time summary
  --skip-admin, --skip-register, --skip-ladder, --no-cache (seed afresh, do not reuse .bench/scale-cache)
  --quick              smoke run: 20,000 instances, 5,000 real devices, 10 s runs, 5 s ladder steps, 1,000 REGISTERs`;

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got '${text}'\n${HELP}`);
  return value;
}

export function parseScaleOptions(argv: string[]): ScaleOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string' }, sizes: { type: 'string' }, duration: { type: 'string' }, rate: { type: 'string' },
      'real-devices': { type: 'string' }, 'ladder-step': { type: 'string' }, register: { type: 'string' },
      'register-connections': { type: 'string' }, connections: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false }, 'skip-admin': { type: 'boolean', default: false },
      'skip-register': { type: 'boolean', default: false }, 'skip-ladder': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false }, quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const quick = values.quick;
  const instances = positive('instances', values.instances ?? (quick ? '20000' : '1000000'));
  const sizes = values.sizes ? values.sizes.split(',').map((s) => positive('sizes', s.trim())).sort((a, b) => a - b) : [instances];
  return {
    sizes,
    durationSeconds: positive('duration', values.duration ?? (quick ? '10' : '60')),
    rate: positive('rate', values.rate ?? '1111'),
    realDevices: positive('real-devices', values['real-devices'] ?? (quick ? '5000' : '25000')),
    ladderStepSeconds: positive('ladder-step', values['ladder-step'] ?? (quick ? '5' : '15')),
    ladderMaxSteps: quick ? 3 : 7,
    registerCount: positive('register', values.register ?? (quick ? '1000' : '10000')),
    registerConnections: positive('register-connections', values['register-connections'] ?? '200'),
    connections: positive('connections', values.connections ?? '64'),
    cpuProfile: values['cpu-prof'], skipAdmin: values['skip-admin'], skipRegister: values['skip-register'],
    skipLadder: values['skip-ladder'], useCache: !values['no-cache'], quick,
  };
}
