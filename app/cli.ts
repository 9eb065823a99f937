/**
 * The admin CLI: `npm run cli -- <resource> <command> [--flags]`, `--json` for scripts.
 * Talks to the same database and Temporal as the API (configured by the environment,
 * or the embedded defaults of a running `npm start`).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { listAccounts } from '../identity/accounts.store';
import { listSystemAccounts } from '../identity/credentials.store';
import { listUsers } from '../identity/users.store';
import { loadConfigOrExit } from '../platform/config';
import { ApiError } from '../platform/http/errors';
import { stockholmDate } from '../domain/calendar';
import type { PriceVersion } from '../orders/orders.rules';
import { connectRuntime } from './runtime';
import { createServices } from './services';
import { verifySettlement } from '../settlement/verify';

const USAGE = `Usage: npm run cli -- <command> [options] [--json]

  accounts create --kind private --name NAME --email EMAIL --birth-date YYYY-MM-DD [--language sv|en]
  accounts create --kind organisation --name NAME --email EMAIL --organisation-number NNNNNN-NNNN [--language sv|en]
  accounts list
  accounts block|unblock --account ID --reason TEXT   (A5, L9: at once; written to the audit log)
  users create --email EMAIL --name NAME --password PASSWORD --role customer|handler|finance|admin [--account ID] [--language sv|en]
  users reset-password --email EMAIL --password PASSWORD
  users list
  users block|unblock --user ID --reason TEXT
  system-accounts create --account ID [--description TEXT]   (prints the client secret once)
  system-accounts list
  framework-agreements create --account ID --kind reseller|geodata_cooperation|other --products ID[,ID…] --valid-from YYYY-MM-DD [--valid-to YYYY-MM-DD]
  framework-agreements list [--account ID]
  network-owners list
  network-owners show|history --id ID
  network-owners create --id ID --name NAME --email EMAIL --mode locates|maps_primarily|map_only [--organisation-number NNNNNN-NNNN] [--contact TEXT] [--fee-class mapOnlyOwnerLocate] --reason TEXT
  network-owners change --id ID [--name …] [--email …] [--mode …] [--organisation-number …] [--contact …] [--fee-class …] --reason TEXT
  network-owners retire --id ID --from YYYY-MM-DD --reason TEXT   (L11: not matched to cases ordered from that date)
  network-owners load-coverage --id ID --file PATH --valid-from YYYY-MM-DD --reason TEXT   (GeoJSON, zipped shapefile or GeoPackage in EPSG:3006)
  prices list [--on YYYY-MM-DD] | prices list --product ID   (T3: in force on a date, or every version of one product)
  prices add --product ID --valid-from YYYY-MM-DD --price-per-km2 ÖRE --minimum-fee ÖRE [--annual-fee ÖRE] --reason TEXT
  terms publish --version V --valid-from YYYY-MM-DD --sv-title T --sv-file PATH --en-title T --en-file PATH --reason TEXT   (A2, L1)
  terms upcoming
  settlements verify --year YYYY [--version N]   (prints the statement; exit 1 unless its hashes match the stored inputs)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    kind: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    'birth-date': { type: 'string' },
    'organisation-number': { type: 'string' },
    language: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    account: { type: 'string' },
    user: { type: 'string' },
    reason: { type: 'string' },
    description: { type: 'string' },
    year: { type: 'string' },
    products: { type: 'string' },
    'valid-from': { type: 'string' },
    'valid-to': { type: 'string' },
    version: { type: 'string' },
    id: { type: 'string' },
    mode: { type: 'string' },
    contact: { type: 'string' },
    'fee-class': { type: 'string' },
    from: { type: 'string' },
    file: { type: 'string' },
    product: { type: 'string' },
    'sv-title': { type: 'string' },
    'sv-file': { type: 'string' },
    'en-title': { type: 'string' },
    'en-file': { type: 'string' },
    on: { type: 'string' },
    'price-per-km2': { type: 'string' },
    'minimum-fee': { type: 'string' },
    'annual-fee': { type: 'string' },
  },
});

const command = positionals.join(' ');
if (values.help || !command) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(command ? 0 : 64);
}

function print(result: unknown) {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (Array.isArray(result)) {
    console.table(result);
  } else {
    for (const [k, v] of Object.entries(result as object))
      process.stdout.write(`${k}: ${v instanceof Date ? v.toISOString() : String(v)}\n`);
  }
}

/** T3: a price version as one row of öre figures. */
const flatPrice = (v: PriceVersion) => ({
  productId: v.productId,
  validFrom: v.validFrom,
  pricePerKm2Minor: v.pricePerKm2.minor,
  minimumFeeMinor: v.minimumFee.minor,
  annualFeeMinor: v.annualFee?.minor ?? null,
});

const config = loadConfigOrExit();
const runtime = await connectRuntime(config);
const { directory, blocking, frameworkAgreements, networkOwners, priceList, termsPublishing } = createServices({
  db: runtime.db,
  temporal: runtime.temporal,
  config,
});
const actor = { actorType: 'system' as const, actorId: `cli:${process.env.USER ?? 'unknown'}` };
let exitCode = 0;
try {
  switch (command) {
    case 'accounts create':
      print(
        await directory.createAccount(
          {
            kind: values.kind as 'private',
            name: values.name ?? '',
            email: values.email ?? '',
            language: values.language as 'sv' | undefined,
            birthDate: values['birth-date'] ?? '',
            organisationNumber: values['organisation-number'] ?? '',
          } as never,
          actor,
        ),
      );
      break;
    case 'accounts list': {
      // Every account, read a page at a time (keyset, issue 20).
      const accounts = [];
      let after: unknown[] | undefined;
      do {
        const page = await listAccounts(runtime.db, { limit: 1000, after });
        accounts.push(...page.items);
        after = page.next ?? undefined;
      } while (after);
      print(accounts);
      break;
    }
    case 'accounts block':
    case 'accounts unblock': {
      const id = z.uuid('--account must be an account id').parse(values.account);
      const run = command === 'accounts block' ? blocking.blockAccount : blocking.unblockAccount;
      print(await run(id, values.reason ?? '', actor));
      break;
    }
    case 'users block':
    case 'users unblock': {
      const id = z.uuid('--user must be a user id').parse(values.user);
      const run = command === 'users block' ? blocking.blockUser : blocking.unblockUser;
      print(await run(id, values.reason ?? '', actor));
      break;
    }
    case 'users create':
      print(
        await directory.createUser(
          {
            email: values.email ?? '',
            name: values.name ?? '',
            password: values.password ?? '',
            role: values.role as 'customer',
            accountId: values.account,
            language: values.language as 'sv' | undefined,
          },
          actor,
        ),
      );
      break;
    case 'users reset-password':
      print(await directory.resetPassword(values.email ?? '', values.password ?? '', actor));
      break;
    case 'users list':
      print(await listUsers(runtime.db));
      break;
    case 'system-accounts create':
      print(
        await directory.createSystemAccount(
          z.uuid('--account must be an account id').parse(values.account),
          values.description,
          actor,
        ),
      );
      break;
    case 'system-accounts list':
      print(await listSystemAccounts(runtime.db));
      break;
    case 'framework-agreements create':
      print(
        await frameworkAgreements.create(
          {
            accountId: values.account ?? '',
            kind: values.kind as 'reseller',
            productIds: (values.products ?? '').split(',').filter(Boolean),
            validFrom: values['valid-from'] ?? '',
            validTo: values['valid-to'] ?? null,
          },
          actor,
        ),
      );
      break;
    case 'framework-agreements list':
      print(await frameworkAgreements.list(values.account));
      break;
    case 'network-owners list': {
      const items = [];
      for (let after: string | undefined; ;) {
        const page = await networkOwners.list({ limit: 200, after });
        items.push(...page.items);
        if (!page.next) break;
        after = page.next;
      }
      print(items);
      break;
    }
    case 'network-owners show': {
      const { coverageVersions, ...owner } = await networkOwners.get(values.id ?? '');
      if (values.json) print({ ...owner, coverageVersions });
      else {
        print(owner);
        print(coverageVersions);
      }
      break;
    }
    case 'network-owners history':
      print(await networkOwners.history(values.id ?? ''));
      break;
    case 'network-owners create':
      print(
        await networkOwners.create(
          {
            id: values.id ?? '',
            name: values.name ?? '',
            email: values.email ?? '',
            mode: values.mode as 'locates',
            organisationNumber: values['organisation-number'] ?? null,
            contact: values.contact ?? null,
            feeClass: (values['fee-class'] as 'mapOnlyOwnerLocate' | undefined) ?? null,
            reason: values.reason ?? '',
          },
          actor,
        ),
      );
      break;
    case 'network-owners change':
      print(
        await networkOwners.change(
          values.id ?? '',
          {
            name: values.name,
            email: values.email,
            mode: values.mode as 'locates' | undefined,
            organisationNumber: values['organisation-number'],
            contact: values.contact,
            feeClass: values['fee-class'] as 'mapOnlyOwnerLocate' | undefined,
            reason: values.reason ?? '',
          },
          actor,
        ),
      );
      break;
    case 'network-owners retire':
      print(
        await networkOwners.retire(values.id ?? '', { from: values.from ?? '', reason: values.reason ?? '' }, actor),
      );
      break;
    case 'network-owners load-coverage':
      print(
        await networkOwners.loadCoverage(
          values.id ?? '',
          fs.readFileSync(z.string('--file is required').min(1, '--file is required').parse(values.file)),
          { validFrom: values['valid-from'] ?? '', reason: values.reason ?? '' },
          actor,
        ),
      );
      break;
    case 'prices list': {
      if (values.product) print((await priceList.versions(values.product)).map(flatPrice));
      else
        print(
          (await priceList.on(values.on ?? stockholmDate(new Date()))).map((p) =>
            p.price ? flatPrice(p.price) : { productId: p.productId, validFrom: null },
          ),
        );
      break;
    }
    case 'prices add': {
      const amount = (flag: string, v: string | undefined) =>
        z.coerce.number().int(`--${flag} must be whole öre`).parse(v);
      print(
        flatPrice(
          await priceList.add(
            values.product ?? '',
            {
              validFrom: values['valid-from'] ?? '',
              pricePerKm2Minor: amount('price-per-km2', values['price-per-km2']),
              minimumFeeMinor: amount('minimum-fee', values['minimum-fee']),
              annualFeeMinor: values['annual-fee'] === undefined ? null : amount('annual-fee', values['annual-fee']),
              reason: values.reason ?? '',
            },
            actor,
          ),
        ),
      );
      break;
    }
    case 'terms publish': {
      const file = (flag: string, v: string | undefined) =>
        fs.readFileSync(z.string(`--${flag} is required`).min(1, `--${flag} is required`).parse(v), 'utf8');
      print(
        await termsPublishing.publish(
          {
            version: values.version ?? '',
            validFrom: values['valid-from'] ?? '',
            texts: {
              sv: { title: values['sv-title'] ?? '', body: file('sv-file', values['sv-file']) },
              en: { title: values['en-title'] ?? '', body: file('en-file', values['en-file']) },
            },
            reason: values.reason ?? '',
          },
          actor,
        ),
      );
      break;
    }
    case 'terms upcoming':
      print(await termsPublishing.upcoming());
      break;
    case 'settlements verify': {
      const { lines, ...check } = await verifySettlement(
        runtime.db,
        z.coerce.number().int().min(2000).max(2200).parse(values.year),
        values.version === undefined ? undefined : z.coerce.number().int().min(1).parse(values.version),
      );
      if (values.json) print({ ...check, lines });
      else {
        print(lines);
        print(check);
      }
      if (!check.verified) exitCode = 1;
      break;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n${USAGE}\n`);
      exitCode = 64;
  }
} catch (err) {
  const details = err instanceof ApiError && err.details ? `\n${JSON.stringify(err.details, null, 2)}` : '';
  const message =
    err instanceof z.ZodError
      ? err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n')
      : (err as Error).message + details;
  if (values.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  else process.stderr.write(`Error: ${message}\n`);
  exitCode = 1;
} finally {
  await runtime.close();
}
process.exit(exitCode);
