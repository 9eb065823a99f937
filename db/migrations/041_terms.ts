import type { Knex } from 'knex';

/**
 * A2, L1: the terms of purchase, in versions that stay published, and every acceptance of them:
 * which version, when, by whom, and what it concluded (a sign-up, an order, a case with its LK number).
 * The first version is seeded here, in Swedish and English.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('terms_versions', (t) => {
    t.text('version').primary();
    t.timestamp('published_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('terms_texts', (t) => {
    t.text('version').notNullable().references('terms_versions.version');
    t.enum('language', ['sv', 'en']).notNullable();
    t.text('title').notNullable();
    t.text('body').notNullable();
    t.primary(['version', 'language']);
  });
  await knex.schema.createTable('terms_acceptances', (t) => {
    t.uuid('id').primary().defaultTo(knex.fn.uuid());
    t.text('terms_version').notNullable().references('terms_versions.version');
    t.uuid('account_id').notNullable().references('accounts.id');
    t.uuid('user_id').references('users.id');
    t.timestamp('accepted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.enum('concluded', ['sign_up', 'order', 'case']).notNullable();
    t.uuid('order_id').references('orders.id');
    t.text('lk').references('cases.lk');
    t.index(['account_id', 'accepted_at']);
    t.check(
      `(concluded = 'order') = (order_id IS NOT NULL) AND (concluded = 'case') = (lk IS NOT NULL)`,
      [],
      'terms_acceptances_record',
    );
  });
  await knex('terms_versions').insert({ version: '2026-1', published_at: '2026-01-01T00:00:00Z' });
  await knex('terms_texts').insert([
    { version: '2026-1', language: 'sv', title: 'Allmänna villkor för Kartkontor', body: SV },
    { version: '2026-1', language: 'en', title: 'General terms of Kartkontor', body: EN },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('terms_acceptances');
  await knex.schema.dropTable('terms_texts');
  await knex.schema.dropTable('terms_versions');
}

const SV = `1. Avtalet
Villkoren gäller när du beställer geodata eller registrerar ett ledningsanvisnings-, projekterings- eller inmätningsärende i Kartkontor. Avtalet ingås när du godkänner villkoren genom att slutföra beställningen eller registreringen. Vilken version du godkände, när och av vem sparas och visas på beställningen eller ärendet.

2. Konto och användare
För att beställa krävs ett konto. En privatperson måste ha fyllt 18 år. Kontots administratör ansvarar för kontot och för dess användare och deras roller, och för att den som använder kontot har fyllt 18 år. Förvara inloggningsuppgifterna säkert; vi rekommenderar tvåstegsinloggning. Vid misstanke om obehörig åtkomst ska du genast byta lösenord. Ett konto som används i strid med lag eller dessa villkor kan spärras med omedelbar verkan.

3. Priser och betalning
Priserna framgår vid beställningen och anges i svenska kronor exklusive moms; privatpersoner betalar 25 % moms därutöver. Priset vid beställningstillfället gäller för beställningen. Betalning sker mot faktura med 30 dagars betalningstid; vid försenad betalning debiteras dröjsmålsränta enligt räntelagen.

4. Geodata
Avgiftsbelagda produkter kan behöva godkännas av en handläggare innan de produceras. Data får användas endast för den användning som anges i beställningen och i avtalet om slutanvändning. Ett abonnemang förnyas årligen tills det sägs upp och upphör vid periodens slut.

5. Ledningsanvisning, projektering och inmätning
Ett ärende som registreras efter klockan 12:00 eller en dag som inte är arbetsdag får nästa arbetsdag som beställningstidpunkt. Ärendet bekräftas direkt med ett LK-nummer och handläggs samma eller nästa arbetsdag, eller senast fem arbetsdagar före grävstart. Flytt och avbokning av utsättning är kostnadsfria fram till klockan 12:00 arbetsdagen före önskat utsättningsdatum, därefter tas en avgift ut. Ett projekteringsunderlag får inte användas för markarbeten. En projekteringsbeställning kan ångras inom 48 timmar om den inte har levererats.

6. Fel och reklamation
Meddela oss genast och skriftligen om du upptäcker fel eller brister i en leverans. Reklamationen registreras på ärendet eller beställningen.

7. Personuppgifter
Vi behandlar de personuppgifter som behövs för att fullgöra avtalet, enligt dataskyddsförordningen. Du har rätt att få se, rätta, begränsa och radera uppgifterna om dig, och att få ut dem.

8. Ansvar och befrielsegrunder
Vi ansvarar endast för direkt skada till följd av bristfällig leverans som skäligen kunde förutses. Vi ansvarar inte för indirekt skada såsom utebliven vinst. Omständigheter utanför vår kontroll, som krig, strejk, pandemi, eldsvåda eller fel hos underleverantörer, befriar från ansvar.

9. Ändringar, tvist och lagval
Nya versioner av villkoren publiceras med ett nytt versionsnummer; varje version finns kvar på sin adress. Svensk lag gäller och tvist avgörs av svensk domstol.`;

const EN = `1. The agreement
These terms apply when you order geodata or register a locate, planning or survey case in Kartkontor. The agreement is concluded when you accept these terms by completing the order or the registration. Which version you accepted, when and by whom is recorded and shown on the order or case.

2. Account and users
An account is required to order. A private person must be at least 18 years old. The account's admin is responsible for the account, for its users and their roles, and for everyone who uses the account being at least 18. Keep your sign-in details safe; we recommend two-factor sign-in. If you suspect unauthorised access, change your password at once. An account used against the law or these terms can be blocked with immediate effect.

3. Prices and payment
Prices are shown when you order and are stated in Swedish kronor excluding VAT; private persons pay 25 % VAT on top. The price at the time of ordering applies to the order. Payment is by invoice within 30 days; late payment bears interest under the Swedish Interest Act.

4. Geodata
Fee-based products may need a case handler's approval before they are produced. Data may be used only as stated in the order and in the end-use agreement. A subscription renews yearly until cancelled and ends at the end of its term.

5. Locate, planning and survey cases
A case registered after 12:00 or on a non-working day has the next working day as its order time. The case is confirmed at once with an LK number and handled on the same or the next working day, or at the latest five working days before the dig start. Moving or cancelling a locate is free until 12:00 on the working day before the desired locate date; after that a fee applies. A planning basis may not be used for digging. A planning order may be withdrawn within 48 hours unless it has been delivered.

6. Defects and complaints
Tell us at once and in writing if you find a defect in a delivery. The complaint is recorded against the case or order.

7. Personal data
We process the personal data needed to perform the agreement, under the General Data Protection Regulation. You may see, correct, restrict and erase the data about you, and have it exported.

8. Liability and force majeure
We are liable only for direct loss caused by a defective delivery that could reasonably be foreseen. We are not liable for indirect loss such as lost profit. Circumstances beyond our control, such as war, strike, pandemic, fire or failures of subcontractors, release us from liability.

9. Changes, disputes and governing law
New versions of these terms are published under a new version number; every version stays published at its address. Swedish law applies and disputes are settled by Swedish courts.`;
