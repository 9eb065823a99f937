import type { Knex } from 'knex';
import * as foundation from './001_foundation';
import * as orders from './002_orders';
import * as cases from './003_cases';
import * as settlement from './004_settlement';
import * as subscriptions from './005_order_subscriptions';
import * as subscriptionTerms from './006_subscription_terms';
import * as settlementInputVersions from './009_settlement_input_versions';
import * as caseFiles from './010_case_files';
import * as casePriceList from './011_case_price_list';
import * as personalData from './012_personal_data';
import * as deliveryRetention from './020_delivery_retention';
import * as orderMarking from './021_order_marking';
import * as blocking from './030_blocking';
import * as systemAccountRotation from './031_system_account_rotation';
import * as accountUsers from './040_account_users';
import * as terms from './041_terms';
import * as twoFactor from './042_two_factor';
import * as caseHistory from './050_case_history';
import * as caseSearch from './051_case_search';
import * as clientRequestId from './060_client_request_id';
import * as locateValidity from './070_locate_validity';
import * as emergencyCases from './071_emergency_cases';
import * as orderShippingAddress from './080_order_shipping_address';
import * as invoiceOcr from './090_invoice_ocr';
import * as invoiceDocuments from './091_invoice_documents';
import * as creditsAndPayments from './092_credits_and_payments';
import * as referenceRates from './093_reference_rates';
import * as volumeIndexes from './110_volume_indexes';
import * as listKeysetIndexes from './111_list_keyset_indexes';
import * as networkOwnerMasterData from './120_network_owner_master_data';
import * as priceListVersions from './121_price_list_versions';

export const migrations: Record<string, Knex.Migration> = {
  '001_foundation': foundation,
  '002_orders': orders,
  '003_cases': cases,
  '004_settlement': settlement,
  '005_order_subscriptions': subscriptions,
  '006_subscription_terms': subscriptionTerms,
  '009_settlement_input_versions': settlementInputVersions,
  '010_case_files': caseFiles,
  '011_case_price_list': casePriceList,
  '012_personal_data': personalData,
  '020_delivery_retention': deliveryRetention,
  '021_order_marking': orderMarking,
  '030_blocking': blocking,
  '031_system_account_rotation': systemAccountRotation,
  '040_account_users': accountUsers,
  '041_terms': terms,
  '042_two_factor': twoFactor,
  '050_case_history': caseHistory,
  '051_case_search': caseSearch,
  '060_client_request_id': clientRequestId,
  '070_locate_validity': locateValidity,
  '071_emergency_cases': emergencyCases,
  '080_order_shipping_address': orderShippingAddress,
  '090_invoice_ocr': invoiceOcr,
  '091_invoice_documents': invoiceDocuments,
  '092_credits_and_payments': creditsAndPayments,
  '093_reference_rates': referenceRates,
  '110_volume_indexes': volumeIndexes,
  '111_list_keyset_indexes': listKeysetIndexes,
  '120_network_owner_master_data': networkOwnerMasterData,
  '121_price_list_versions': priceListVersions,
};
