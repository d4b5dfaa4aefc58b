/**
 * Stored wallets rendered as the payment manager's two list formats: WalletV2 (GET /v2/wallet,
 * what the app used from 16 Nov 2020, `info` being a CardInfo) and the legacy v1 Wallet
 * (credit cards only). hashPan is the hpan: it is the id BPD's payment-instruments API takes.
 */
import type { WalletRecord } from '../storage/storage.ts';
import { logoUrl } from './abi-list.ts';

const brandLogo = (brand: string): string => `/assets/brands/${brand.toLowerCase()}.png`;

export function walletV2(w: WalletRecord) {
  const bancomat = w.walletType === 'Bancomat';
  return {
    idWallet: w.idWallet,
    walletType: w.walletType,
    enableableFunctions: bancomat ? ['BPD'] : ['pagoPA', 'BPD', 'FA'],
    pagoPA: !bancomat,
    favourite: w.favourite,
    onboardingChannel: 'IO',
    createDate: w.createdAt.toISOString(),
    updateDate: w.updatedAt.toISOString(),
    info: {
      blurredNumber: w.lastFour,
      brand: w.brand,
      brandLogo: bancomat && w.abi !== null ? logoUrl(w.abi) : brandLogo(w.brand),
      expireMonth: w.expireMonth,
      expireYear: w.expireYear,
      hashPan: w.hpan,
      holder: w.holder,
      htokenList: [] as string[],
      ...(w.abi !== null ? { issuerAbiCode: w.abi } : {}),
      type: w.productType ?? 'PP',
    },
  };
}

export function walletV1(w: WalletRecord) {
  return {
    idWallet: w.idWallet,
    type: 'CREDIT_CARD' as const,
    favourite: w.favourite,
    creditCard: {
      id: w.idWallet,
      pan: w.maskedPan,
      brand: w.brand,
      brandLogo: brandLogo(w.brand),
      expireMonth: w.expireMonth,
      expireYear: w.expireYear,
      holder: w.holder,
      hpan: w.hpan,
      flag3dsVerified: w.status === 'verified',
      onUs: false,
    },
    ...(w.idPsp !== null ? { idPsp: w.idPsp } : {}),
    pspEditable: true,
    isPspToIgnore: false,
    registeredNexi: false,
    saved: w.confirmed,
    services: ['pagoPA', 'BPD', 'FA'],
    onboardingChannel: 'IO',
  };
}
