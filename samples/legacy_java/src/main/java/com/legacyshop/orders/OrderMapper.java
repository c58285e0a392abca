package com.legacyshop.orders;

import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

/** Hand-tuned queries the JPA layer was too slow for (see OrderMapper.xml). */
@Mapper
public interface OrderMapper {

    List<Order.Summary> openOrders(@Param("customerId") Long customerId);

    int markPaid(@Param("orderId") Long orderId);

    int archiveBefore(@Param("days") int days);

    int insertLine(@Param("orderId") Long orderId, @Param("productId") Long productId,
                   @Param("quantity") int quantity);
}
