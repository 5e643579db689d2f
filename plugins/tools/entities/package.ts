import { BigIntType, EntitySchema } from '@mikro-orm/postgresql'

export type PackageAsset = 'stamps' | 'points'
export const PACKAGE_ASSETS: readonly PackageAsset[] = ['stamps', 'points']

/**
 * A package a distributor sells (Herramientas → Precios): stamps or points, for its customers or,
 * with `forDistributors`, for its sub-distributors. The root distributor's (staff's) packages are
 * what top-level distributors buy. Deleting archives it: orders and sales that name it keep working.
 */
export interface ToolsPackage {
  id: string
  /** The seller (owner) of the package. */
  distributorId: string
  asset: PackageAsset
  /** Stamps: a whole number; points: hundredths, as in the ledger. */
  quantity: number
  /** Hundredths of MXN, IVA included. */
  price: number
  description: string
  forDistributors: boolean
  createdAt: Date
  archivedAt?: Date | null
}

export const ToolsPackageSchema = new EntitySchema<ToolsPackage>({
  name: 'ToolsPackage',
  tableName: 'tools_package',
  indexes: [{ name: 'tools_package_distributor_index', properties: ['distributorId', 'asset', 'forDistributors'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid' },
    asset: { type: 'string', length: 10 },
    quantity: { type: new BigIntType('number') },
    price: { type: new BigIntType('number') },
    description: { type: 'string', length: 200 },
    forDistributors: { type: 'boolean', default: false },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
    archivedAt: { type: 'datetime', nullable: true },
  },
})
