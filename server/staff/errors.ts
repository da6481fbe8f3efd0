export class StaffNotFound extends Error {
  constructor(readonly staffId: string) {
    super(`no staff member '${staffId}' in this snapshot`);
  }
}
