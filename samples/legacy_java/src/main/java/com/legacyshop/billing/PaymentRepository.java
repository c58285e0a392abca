package com.legacyshop.billing;

import java.util.List;
import org.springframework.data.repository.CrudRepository;

public interface PaymentRepository extends CrudRepository<Payment, Long> {

    List<Payment> findByInvoiceId(Long invoiceId);
}
