// The agent's one tool. Issuing a refund moves money, so the agent asks a
// person before it runs (see agent.ts).

export interface RefundArgs {
  orderId: string;
  amountCents: number;
  reason: string;
}

export interface RefundReceipt {
  refundId: string;
  orderId: string;
  amountCents: number;
  status: "issued";
}

/** Stands for the payment provider's API call. */
export async function refund(args: RefundArgs): Promise<RefundReceipt> {
  return {
    refundId: `R-${args.orderId}`,
    orderId: args.orderId,
    amountCents: args.amountCents,
    status: "issued",
  };
}

/** The tools the model may call, by name. */
export const TOOLS: Record<string, (args: any) => Promise<unknown>> = { refund };
