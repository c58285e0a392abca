package com.legacyshop.reporting;

import com.legacyshop.common.DateUtils;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

@Service
public class ReportService {

    private final SalesReportDao dao;

    public ReportService(SalesReportDao dao) { this.dao = dao; }

    public List<Map<String, Object>> lastDays(int days) { return dao.dailySales(DateUtils.daysAgo(days)); }

    public List<Map<String, Object>> unpaid() { return dao.unpaidInvoices(); }

    public void nightly() { dao.snapshot(DateUtils.daysAgo(1)); }
}
