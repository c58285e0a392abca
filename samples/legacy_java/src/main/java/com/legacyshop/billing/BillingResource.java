package com.legacyshop.billing;

import java.util.List;
import javax.ws.rs.*;
import javax.ws.rs.core.MediaType;

/** Old JAX-RS API kept for the accounting partner; still served by Jersey. */
@Path("/billing")
@Produces(MediaType.APPLICATION_JSON)
public class BillingResource {

    private final InvoiceService invoices;

    public BillingResource(InvoiceService invoices) { this.invoices = invoices; }

    @GET
    @Path("/invoices/{id}")
    public Invoice invoice(@PathParam("id") Long id) { return invoices.invoice(id); }

    @GET
    @Path("/invoices/{id}/payments")
    public List<Payment> payments(@PathParam("id") Long id) { return invoices.paymentsOf(id); }

    @POST
    @Path("/invoices/{id}/pay")
    public Payment pay(@PathParam("id") Long id, @QueryParam("token") String token) {
        return invoices.pay(id, token);
    }
}
