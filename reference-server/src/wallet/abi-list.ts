/**
 * The banks (ABI codes) picco's PagoBancomat simulation knows, with the card processor that
 * serves each (the real fan-out went to ICCREA, NEXI and SIA). A short, fixed list: enough for
 * the ABI search and for the per-processor fan-out to be realistic; the real list (CDN abi.json)
 * had hundreds of entries.
 */
export type Processor = 'ICCREA' | 'NEXI' | 'SIA';
export const PROCESSORS: readonly Processor[] = ['ICCREA', 'NEXI', 'SIA'];

export interface Bank {
  abi: string;
  name: string;
  processor: Processor;
}

export const BANKS: readonly Bank[] = [
  { abi: '03069', name: 'Intesa Sanpaolo', processor: 'NEXI' },
  { abi: '02008', name: 'UniCredit', processor: 'NEXI' },
  { abi: '05034', name: 'Banco BPM', processor: 'SIA' },
  { abi: '03111', name: 'UBI Banca', processor: 'SIA' },
  { abi: '01030', name: 'Monte dei Paschi di Siena', processor: 'SIA' },
  { abi: '05696', name: 'Banca Popolare di Sondrio', processor: 'NEXI' },
  { abi: '06230', name: 'Credit Agricole Italia', processor: 'NEXI' },
  { abi: '03104', name: 'Deutsche Bank', processor: 'SIA' },
  { abi: '05387', name: 'BPER Banca', processor: 'SIA' },
  { abi: '03032', name: 'Credem', processor: 'NEXI' },
  { abi: '08000', name: 'Iccrea Banca', processor: 'ICCREA' },
  { abi: '08327', name: 'BCC di Roma', processor: 'ICCREA' },
  { abi: '08430', name: 'BCC Carate Brianza', processor: 'ICCREA' },
  { abi: '08440', name: 'Centromarca Banca', processor: 'ICCREA' },
  { abi: '07601', name: 'Poste Italiane', processor: 'SIA' },
  { abi: '03015', name: 'Fineco', processor: 'NEXI' },
];

export const bankByAbi = (abi: string): Bank | undefined => BANKS.find((b) => b.abi === abi);
export const logoUrl = (abi: string): string => `/assets/abi/${abi}.png`;
